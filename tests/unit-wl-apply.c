/* unit-wl-apply.c - whitelist writes that a cancel never leaves half-done,
 * against pilesim on a pseudo-terminal: a staged sync or import cancelled
 * before its commit leaves the pile's list byte-identical (read back:
 * version, digest, every entry); a cancel once the commit has begun, or
 * once a command was taken on a pile without staging (1.0), finishes the
 * change and says so; and `whitelist sync --all`'s machine (wlsite) puts
 * one transaction on the wire a step. Cancels come at points the test
 * controls: the job advances only when the test steps the runner, and the
 * test cancels when the job's own progress reaches a count. */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/wlcsv.h"
#include "batch/wlsite.h"
#include "batch/wlsync.h"
#include "tap.h"

static struct cmd_ctx	ctx;

struct sim {
	pid_t		 pid;
	char		 dir[64];
	char		 keys[96];
	struct link	*link;
	struct pile_bus	*bus;
	struct pile	*pile;
};

/* pilesim with npiles piles speaking protocol (1.0 or 1.1), unpaced. */
static int
sim_start(struct sim *s, int npiles, const char *protocol)
{
	static const struct link_params	 params = { .baud = 115200, .parity = 'E',
	    .stop_bits = 1 };
	struct pile_bus_opts		 opts = { 2000, 2, 0 };
	const char			*top = getenv("top_builddir");
	char				 exe[512], log[96], bus[96], n[8], *text;
	char				*cause = NULL;
	size_t				 len;
	int				 fd, i;

	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/unit-wl-apply.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	snprintf(exe, sizeof exe, "%s/pilesim", top != NULL ? top : ".");
	snprintf(log, sizeof log, "%s/pilesim.log", s->dir);
	snprintf(n, sizeof n, "%d", npiles);
	if ((s->pid = fork()) == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(exe, "pilesim", "--data", s->dir, "--piles", n, "--protocol",
		    protocol, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 400; i++) {
		if ((fd = open(log, O_RDONLY)) >= 0) {
			text = xcalloc(1, 4096);
			len = (size_t)read(fd, text, 4095) > 0;
			close(fd);
			len = len && strstr(text, "control socket") != NULL;
			free(text);
			if (len)
				break;
		}
		usleep(25000);
	}
	snprintf(bus, sizeof bus, "%s/bus", s->dir);
	snprintf(s->keys, sizeof s->keys, "%s/keys.yaml", s->dir);
	if (i == 400 || (s->link = link_open(bus, &params, &cause)) == NULL) {
		printf("# pilesim (%s) did not start: %s\n", exe, cause ? cause : "");
		free(cause);
		return -1;
	}
	s->bus = pile_bus_new(s->link, &opts);
	s->pile = pile_new(s->bus, 1);
	ctx.opts.keys_file = s->keys;
	return 0;
}

static void
sim_stop(struct sim *s)
{
	char	cmd[128];

	pile_free(s->pile);
	pile_bus_free(s->bus);
	link_close(s->link);
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", s->dir);
	ctx.opts.keys_file = NULL;
}

/* A CSV of n cards from base; the first changed ones get another holder. */
static char *
csv(struct sim *s, const char *name, int n, unsigned base, int changed)
{
	char	*path = xasprintf("%s/%s", s->dir, name);
	FILE	*f = fopen(path, "w");
	int	 i;

	fputs("uid,status,expires,holder\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%08X,accepted,,%s %d\n", base + 13 * (unsigned)i,
		    i < changed ? "new holder" : "holder", i);
	fclose(f);
	return path;
}

/* What the pile holds: its status and every entry as 58 wire bytes. */
struct snap {
	struct pile_wl_status	 st;
	uint8_t			*wire;
	size_t			 n;
};

static void
snap(struct sim *s, struct snap *sn)
{
	struct proto_wl_entry	*e = NULL;
	uint32_t		 version;
	char			*cause = NULL;
	size_t			 i;

	memset(sn, 0, sizeof *sn);
	if (pile_wl_status(s->pile, &sn->st, &cause) != 0 ||
	    wl_read_all(s->pile, &e, &sn->n, &version, &cause) != 0) {
		printf("# reading the list: %s\n", cause);
		free(cause);
		return;
	}
	sn->wire = xcalloc(sn->n + 1, PROTO_WL_ENTRY_BYTES);
	for (i = 0; i < sn->n; i++)
		proto_wl_entry_wire(&e[i], sn->wire + i * PROTO_WL_ENTRY_BYTES);
	free(e);
}

static int
snap_same(const struct snap *a, const struct snap *b)
{
	return a->st.version == b->st.version && a->st.digest == b->st.digest &&
	    a->st.count == b->st.count && a->n == b->n &&
	    memcmp(a->wire, b->wire, a->n * PROTO_WL_ENTRY_BYTES) == 0;
}

/* The digest of a CSV file's list, as the pile computes it. */
static uint32_t
csv_digest(const char *path, size_t *n)
{
	struct proto_wl_entry	*e = NULL;
	char			*cause = NULL;
	uint32_t		 d = 0;
	FILE			*f = fopen(path, "r");

	*n = 0;
	if (f != NULL && wlcsv_parse(f, path, &e, n, &cause) == 0 &&
	    wlsync_sort(e, *n, &cause) == 0)
		d = wlsync_digest(e, *n);
	if (f != NULL)
		fclose(f);
	free(cause);
	free(e);
	return d;
}

static struct job *
new_job(struct sim *s, const char *verb, const char *path)
{
	char		*words[4], *cause = NULL;
	struct job	*job;
	int		 n = 0, exit_code;

	words[n++] = "whitelist";
	words[n++] = (char *)verb;
	words[n++] = (char *)path;
	job = job_new(&ctx, n, words, s->pile, NULL, &exit_code, &cause);
	if (job == NULL)
		printf("# job_new: %s\n", cause);
	free(cause);
	return job;
}

/* Steps the runner until stop(job, arg) or the job ends; 1 when stop. */
static int
run_until(struct job_runner *r, struct job *job,
    int (*stop)(struct job *, const void *), const void *arg)
{
	struct pollfd	pfd[4];
	int		n, timeout, turns;

	for (turns = 0; turns < 1000000 && !job_finished(job); turns++) {
		if (stop != NULL && stop(job, arg))
			return 1;
		n = job_runner_pollfds(r, pfd, 4, &timeout);
		poll(pfd, (nfds_t)n, timeout);
		job_runner_step(r);
	}
	return stop != NULL && stop(job, arg);
}

/* The job's progress counts what ("chunks", "commands", "cards") and has
 * reached *at. */
struct at {
	const char	*what;
	uint64_t	 done;	/* 0: the total */
};

static int
progress_at(struct job *job, const void *arg)
{
	const struct at			*at = arg;
	const struct result_progress	*p = &job->result.progress;

	return p->what != NULL && strcmp(p->what, at->what) == 0 &&
	    p->done >= (at->done != 0 ? at->done : p->total);
}

/* Runs a job on the pile; its exit code; the job in *out when wanted. */
static int
run_job(struct sim *s, const char *verb, const char *path, const struct at *cancel_at,
    int cancel_now, struct job **out)
{
	struct job_runner	*r = job_runner_new();
	struct job		*job = new_job(s, verb, path);
	int			 rc;

	job_runner_add(r, job);
	if (cancel_now)
		job_cancel(job);
	if (cancel_at != NULL && run_until(r, job, progress_at, cancel_at))
		job_cancel(job);
	run_until(r, job, NULL, NULL);
	while (job_runner_take_done(r) != NULL)
		;
	rc = job_exit_code(job);
	if (out != NULL)
		*out = job;
	else
		job_free(job);
	job_runner_free(r);
	return rc;
}

static int
has_event(const struct job *job, const char *text)
{
	size_t	i;

	for (i = 0; i < job->result.nevents; i++)
		if (strstr(job->result.events[i].text, text) != NULL)
			return 1;
	return 0;
}

static int
cause_has(const struct job *job, const char *text)
{
	return job->result.error.cause != NULL &&
	    strstr(job->result.error.cause, text) != NULL;
}

static void
test_staged_sync_cancel(void)
{
	struct pile_stage_status st;
	struct at		 fifty = { "chunks", 50 }, last = { "chunks", 0 };
	struct snap		 before, after;
	struct sim		 s;
	struct job		*job;
	char			*base, *changed, *cause = NULL;
	size_t			 n;
	uint32_t		 d;

	if (sim_start(&s, 1, "1.1") != 0) {
		ok(0, "pilesim_1_1");
		return;
	}
	base = csv(&s, "base.csv", 2000, 0x20000000, 0);
	changed = csv(&s, "changed.csv", 2000, 0x20000000, 2000);
	is_int(run_job(&s, "sync", base, NULL, 0, &job), EXIT_OK,
	    "a_2000_card_list_is_synced");
	is_str(json_get_str(job->result.data, "by"), "staging",
	    "a_2000_card_sync_to_a_staging_pile_is_staged");
	job_free(job);
	snap(&s, &before);
	is_int((int)before.n, 2000, "the_pile_holds_2000_cards");

	/* Esc after 50 of the 500 chunks. */
	is_int(run_job(&s, "sync", changed, &fifty, 0, &job), EXIT_FAILED,
	    "staged_sync_cancelled_before_its_commit_exits_1");
	ok(job->result.cancelled, "staged_sync_cancelled_says_so");
	ok(cause_has(job, "interrupted: nothing was written"),
	    "staged_sync_cancelled_says_nothing_was_written");
	if (!cause_has(job, "interrupted: nothing was written"))
		printf("# cause: %s\n", job->result.error.cause);
	job_free(job);
	snap(&s, &after);
	ok(snap_same(&before, &after),
	    "staged_sync_cancelled_leaves_the_list_byte_identical");
	is_int((int)after.st.version, (int)before.st.version,
	    "and_its_version_unchanged");
	ok(pile_stage_status(s.pile, &st, &cause) == 0 && st.received >= 50 &&
	    st.received < st.total, "the_chunks_sent_are_in_the_staging_area_only");
	free(cause);
	cause = NULL;
	free(after.wire);

	/* Esc in the turn it starts. */
	is_int(run_job(&s, "sync", changed, NULL, 1, &job), EXIT_FAILED,
	    "staged_sync_cancelled_at_once_exits_1");
	ok(cause_has(job, "nothing was written"), "and_writes_nothing");
	job_free(job);
	snap(&s, &after);
	ok(snap_same(&before, &after), "the_list_is_still_byte_identical");
	free(after.wire);

	/* Esc once every chunk is there: the commit has begun, it is
	 * finished and taken whole. */
	is_int(run_job(&s, "sync", changed, &last, 0, &job), EXIT_OK,
	    "staged_sync_cancelled_after_its_last_chunk_commits");
	ok(has_event(job, "the pile took the staged list whole"),
	    "and_says_the_cancel_came_after_the_commit_began");
	job_free(job);
	snap(&s, &after);
	d = csv_digest(changed, &n);
	ok(after.st.digest == d && after.st.count == n && d != before.st.digest,
	    "the_pile_took_the_whole_new_list");
	is_int((int)after.st.version, (int)before.st.version + 1,
	    "in_one_commit_one_version");
	free(after.wire);
	free(before.wire);
	free(base);
	free(changed);
	sim_stop(&s);
}

static void
test_staged_import_cancel(void)
{
	struct at	 twenty = { "chunks", 20 };
	struct snap	 before, after;
	struct sim	 s;
	struct job	*job;
	char		*base, *more;

	if (sim_start(&s, 1, "1.1") != 0) {
		ok(0, "pilesim_1_1");
		return;
	}
	base = csv(&s, "base.csv", 400, 0x30000000, 0);
	more = csv(&s, "more.csv", 1000, 0x40000000, 0);
	is_int(run_job(&s, "sync", base, NULL, 0, NULL), EXIT_OK, "import_base_synced");
	snap(&s, &before);
	is_int(run_job(&s, "import", more, &twenty, 0, &job), EXIT_FAILED,
	    "staged_import_cancelled_before_its_commit_exits_1");
	ok(cause_has(job, "interrupted: nothing was written"),
	    "staged_import_cancelled_says_nothing_was_written");
	job_free(job);
	snap(&s, &after);
	ok(snap_same(&before, &after),
	    "staged_import_cancelled_leaves_the_list_byte_identical");
	free(after.wire);
	is_int(run_job(&s, "import", more, NULL, 0, &job), EXIT_OK,
	    "a_1000_card_import_runs");
	is_str(json_get_str(job->result.data, "by"), "staging",
	    "a_1000_card_import_to_a_staging_pile_is_staged");
	job_free(job);
	snap(&s, &after);
	is_int((int)after.n, 1400, "the_import_added_its_cards_to_the_list");
	is_int((int)after.st.version, (int)before.st.version + 1,
	    "in_one_commit_one_version");
	free(after.wire);
	free(before.wire);
	free(base);
	free(more);
	sim_stop(&s);
}

/* Protocol 1.0: no staging. A begun sync or import is finished before the
 * cancel is honoured; one cancelled before its first command writes
 * nothing. */
static void
test_v10_cancel_finishes_a_begun_change(void)
{
	struct at	 three = { "commands", 3 }, two = { "cards", 8 };
	struct snap	 before, after;
	struct sim	 s;
	struct job	*job;
	char		*base, *changed, *more;
	size_t		 n;
	uint32_t	 d;

	if (sim_start(&s, 1, "1.0") != 0) {
		ok(0, "pilesim_1_0");
		return;
	}
	base = csv(&s, "base.csv", 200, 0x50000000, 0);
	changed = csv(&s, "changed.csv", 200, 0x50000000, 100);
	more = csv(&s, "more.csv", 40, 0x60000000, 0);
	is_int(run_job(&s, "sync", base, NULL, 0, NULL), EXIT_OK, "v10_base_synced");
	snap(&s, &before);

	is_int(run_job(&s, "sync", changed, NULL, 1, &job), EXIT_FAILED,
	    "v10_sync_cancelled_before_its_first_command_exits_1");
	ok(cause_has(job, "interrupted: nothing was written"),
	    "v10_sync_cancelled_at_once_says_nothing_was_written");
	job_free(job);
	snap(&s, &after);
	ok(snap_same(&before, &after), "v10_sync_cancelled_at_once_changes_nothing");
	free(after.wire);

	is_int(run_job(&s, "sync", changed, &three, 0, &job), EXIT_OK,
	    "v10_sync_cancelled_after_3_commands_is_finished");
	is_int((int)job->result.progress.done, 25, "all_25_commands_were_sent");
	ok(has_event(job, "the sync is finished"), "v10_sync_says_it_finished_the_begun_sync");
	is_str(json_get_str(job->result.data, "by"), "commands", "v10_sync_goes_by_commands");
	job_free(job);
	snap(&s, &after);
	d = csv_digest(changed, &n);
	ok(after.st.digest == d && after.st.count == n, "v10_list_is_the_files_whole");
	free(after.wire);

	free(before.wire);
	snap(&s, &before);
	is_int(run_job(&s, "import", more, NULL, 1, &job), EXIT_FAILED,
	    "v10_import_cancelled_at_once_exits_1");
	ok(cause_has(job, "interrupted: nothing was written"),
	    "v10_import_cancelled_at_once_says_nothing_was_written");
	job_free(job);
	snap(&s, &after);
	ok(snap_same(&before, &after), "v10_import_cancelled_at_once_changes_nothing");
	free(after.wire);
	is_int(run_job(&s, "import", more, &two, 0, &job), EXIT_OK,
	    "v10_import_cancelled_after_2_commands_is_finished");
	ok(has_event(job, "the import is finished"), "v10_import_says_it_finished");
	is_int((int)json_get_int(job->result.data, "count", 0), 240,
	    "v10_import_added_all_40_cards");
	job_free(job);
	free(before.wire);
	free(base);
	free(changed);
	free(more);
	sim_stop(&s);
}

/* wlsite_step: one transaction on the wire a call, from the plan to the
 * last pile's read-back, for three staging piles. */
static void
test_wlsite_one_transaction_a_step(void)
{
	struct proto_wl_entry	*e;
	struct wlsite		 site;
	struct sim		 s;
	uint8_t			 addrs[] = { 1, 2, 3 };
	unsigned long		 t0;
	size_t			 i, steps = 0, most = 0, fewest = 99, ok_piles = 0;
	char			*cause = NULL;

	if (sim_start(&s, 3, "1.1") != 0) {
		ok(0, "pilesim_3_piles");
		return;
	}
	e = xcalloc(300, sizeof *e);
	for (i = 0; i < 300; i++) {
		snprintf(e[i].uid, sizeof e[i].uid, "%08X", 0x70000000u + (unsigned)i * 7);
		e[i].status = PROTO_WL_ACCEPTED;
		snprintf(e[i].holder, sizeof e[i].holder, "holder %zu", i);
	}
	if (wlsite_init(&site, s.bus, s.keys, e, 300, 0, addrs, 3, &cause) != 0) {
		ok(0, "wlsite_init: %s", cause);
		free(cause);
		sim_stop(&s);
		return;
	}
	for (;;) {
		t0 = pile_bus_stats(s.bus)->transactions;
		if (!wlsite_step(&site, 0))
			break;
		steps++;
		i = pile_bus_stats(s.bus)->transactions - t0;
		if (i > most)
			most = i;
		if (i < fewest)
			fewest = i;
	}
	i = pile_bus_stats(s.bus)->transactions - t0;
	is_int((int)i, 0, "the_last_call_sends_nothing");
	for (i = 0; i < site.npiles; i++)
		ok_piles += site.piles[i].ok && site.piles[i].how == WLSITE_STAGE;
	is_int((int)ok_piles, 3, "three_piles_took_the_staged_list");
	is_int((int)most, 1, "no_step_put_more_than_one_transaction_on_the_wire");
	is_int((int)fewest, 1, "every_step_put_one_transaction_on_the_wire");
	/* 3 x (identity, status) + 75 chunks + 3 x (status, missing) +
	 * 3 x (challenge, response, commit, status) at least. */
	ok(steps >= 6 + 75 + 6 + 12, "the_work_took_%zu_steps", steps);
	printf("# %zu steps, %zu broadcasts\n", steps, site.broadcasts);
	wlsite_free(&site);
	free(e);
	sim_stop(&s);
}

/* Runs a wlsite over addrs to its end with wlsite_step, counting the
 * transactions each step put on the wire; -1 when wlsite_init failed. */
static int
site_run(struct sim *s, const struct proto_wl_entry *e, size_t n, uint8_t *addrs,
    size_t naddrs, struct wlsite *site, size_t *steps, size_t *most)
{
	unsigned long	 t0;
	size_t		 i;
	char		*cause = NULL;

	*steps = *most = 0;
	if (wlsite_init(site, s->bus, s->keys, e, n, 0, addrs, naddrs, &cause) != 0) {
		ok(0, "wlsite_init: %s", cause);
		free(cause);
		return -1;
	}
	for (;;) {
		t0 = pile_bus_stats(s->bus)->transactions;
		if (!wlsite_step(site, 0))
			break;
		(*steps)++;
		i = pile_bus_stats(s->bus)->transactions - t0;
		if (i > *most)
			*most = i;
	}
	return 0;
}

/* Plans that read the pile (a 1.0 pile's whole list, a drifted 1.1 pile's
 * bucket digests) are a transaction a step too: the laptop's record of
 * the last sync is removed first, so the plan must read. */
static void
test_wlsite_plans_a_transaction_a_step(const char *state)
{
	struct proto_wl_entry	*e;
	struct wlsite		 site;
	struct sim		 s;
	uint8_t			 addrs[] = { 1, 2 };
	size_t			 i, steps, most, good;
	char			 cmd[120];
	const char		*proto[] = { "1.0", "1.1" };
	enum wlsite_how		 how[] = { WLSITE_PERPILE, WLSITE_DIFF };
	enum wlsync_mode	 mode[] = { WLSYNC_READ, WLSYNC_BUCKETS };
	int			 k;

	e = xcalloc(300, sizeof *e);
	for (k = 0; k < 2; k++) {
		if (sim_start(&s, 2, proto[k]) != 0) {
			ok(0, "pilesim_2_piles_%s", proto[k]);
			continue;
		}
		for (i = 0; i < 300; i++) {
			snprintf(e[i].uid, sizeof e[i].uid, "%08X", 0x71000000u +
			    (unsigned)i * 11);
			e[i].status = PROTO_WL_ACCEPTED;
			snprintf(e[i].holder, sizeof e[i].holder, "holder %zu", i);
		}
		if (site_run(&s, e, 300, addrs, 2, &site, &steps, &most) == 0)
			wlsite_free(&site);
		/* Five cards change; the record of the sync is forgotten. */
		for (i = 0; i < 5; i++)
			snprintf(e[i * 50].holder, sizeof e[i * 50].holder, "moved %zu", i);
		snprintf(cmd, sizeof cmd, "rm -rf '%s/whitelist'", state);
		if (system(cmd) != 0)
			printf("# could not remove %s/whitelist\n", state);
		if (site_run(&s, e, 300, addrs, 2, &site, &steps, &most) != 0) {
			sim_stop(&s);
			continue;
		}
		for (i = 0, good = 0; i < site.npiles; i++)
			good += site.piles[i].ok && site.piles[i].how == how[k] &&
			    site.piles[i].plan.mode == mode[k] &&
			    site.piles[i].plan.nchange == 5;
		is_int((int)good, 2, "protocol_%s_both_piles_planned_by_%s_and_synced",
		    proto[k], k == 0 ? "reading_the_list" : "bucket_digests");
		is_int((int)most, 1, "protocol_%s_no_plan_step_put_more_than_one_"
		    "transaction_on_the_wire", proto[k]);
		ok(steps >= (k == 0 ? 2 * 75 : 2 * 35), "protocol_%s_the_plans_took_"
		    "%zu_steps", proto[k], steps);
		wlsite_free(&site);
		sim_stop(&s);
	}
	free(e);
}

int
main(void)
{
	char	state[] = "/tmp/unit-wl-apply-state.XXXXXX", cmd[80];

	if (mkdtemp(state) == NULL)
		return 99;
	setenv("PILECON_STATE_DIR", state, 1);
	pilecon_opts_init(&ctx.opts);
	ctx.out = stdout;
	ctx.err = stderr;
	test_staged_sync_cancel();
	test_staged_import_cancel();
	test_v10_cancel_finishes_a_begun_change();
	test_wlsite_one_transaction_a_step();
	test_wlsite_plans_a_transaction_a_step(state);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", state);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", state);
	return done_testing();
}
