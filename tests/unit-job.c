/* unit-job.c - the command engine against a fake pile on a pty: a job runs
 * as a state machine on the asynchronous bus and hands back a result, not
 * prints; a runner advances several jobs on one bus one transaction at a
 * time; errors keep the exit code and the pile's cause apart; cancel stops
 * at a transaction boundary. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fakeslave.h"
#include "batch/job.h"
#include "tap.h"

static struct cmd_ctx	ctx;

static struct job *
new_job(struct pile *pile, const char *line)
{
	char		*words[8], *copy = xstrdup(line), *w, *save = NULL;
	struct job	*job;
	char		*cause = NULL;
	int		 n = 0, exit_code;

	for (w = strtok_r(copy, " ", &save); w != NULL && n < 8;
	    w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	job = job_new(&ctx, n, words, pile, NULL, &exit_code, &cause);
	if (job == NULL)
		printf("# job_new %s: %s\n", line, cause);
	free(cause);
	free(copy);
	return job;
}

/* Runs the runner's loop until every job finished; returns the turns. */
static int
run_all(struct job_runner *r, int *most_at_once)
{
	struct pollfd	pfd[4];
	int		n, timeout, turns = 0, running;

	*most_at_once = 0;
	job_runner_step(r);
	while ((running = job_runner_running(r)) > 0 && turns < 100000) {
		if (running > *most_at_once)
			*most_at_once = running;
		n = job_runner_pollfds(r, pfd, 4, &timeout);
		poll(pfd, (nfds_t)n, timeout);
		job_runner_step(r);
		turns++;
	}
	return turns;
}

static void
test_status_job_gives_a_result(void)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct job_runner	*r;
	struct job		*job;
	int			 most;

	if (fakeslave_rig_start(&rig, 0, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	r = job_runner_new();
	job = new_job(rig.pile, "status --json");
	ok(job != NULL && job->json, "status_job_is_made_from_its_command_line");
	job_runner_add(r, job);
	run_all(r, &most);
	ok(job_runner_take_done(r) == job, "finished_job_is_handed_back");
	is_int(job_exit_code(job), EXIT_OK, "status_job_succeeds");
	is_str(json_get_str(job->result.data, "serial"), FS_SERIAL,
	    "identity_is_read_first_when_not_given");
	is_str(json_get_str(job->result.data, "link"), "forced_offline",
	    "link_state_in_the_one_vocabulary");
	is_int(json_get_int(job->result.data, "energy_wh", 0), 123456,
	    "result_holds_the_live_block");
	job_free(job);
	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	is_int(fakeslave_count(rig.log, "03 0100 8 1"), 1,
	    "one_live_read_on_the_wire");
	free(rig.log);
}

static void
test_two_jobs_share_the_bus(void)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct proto_identity	 id;
	struct job_runner	*r;
	struct job		*a, *b;
	char			*cause = NULL;
	int			 most;

	if (fakeslave_rig_start(&rig, 0, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	pile_identity(rig.pile, &id, &cause);
	free(cause);
	r = job_runner_new();
	a = new_job(rig.pile, "status");
	b = new_job(rig.pile, "tariff show");
	job_runner_add(r, a);
	job_runner_add(r, b);
	run_all(r, &most);
	is_int(most, 2, "both_jobs_were_in_the_runner_at_once");
	is_int(job_exit_code(a), EXIT_OK, "first_job_on_the_bus_succeeds %s",
	    a->result.error.cause ? a->result.error.cause : "");
	is_int(job_exit_code(b), EXIT_OK, "second_job_waits_for_the_bus_and_succeeds %s",
	    b->result.error.cause ? b->result.error.cause : "");
	ok(json_get(b->result.data, "periods") != NULL, "tariff_result_has_periods");
	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	free(rig.log);
}

/* The line index (0 first) of the first log line starting with prefix, or
 * -1; last: of the last one. */
static int
log_line(const char *log, const char *prefix, int last)
{
	const char	*l;
	int		 i, at = -1;

	for (l = log, i = 0; l != NULL && *l != '\0'; i++) {
		if (strncmp(l, prefix, strlen(prefix)) == 0) {
			at = i;
			if (!last)
				break;
		}
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	return at;
}

/* A background job (the console's search of the bus) yields the bus to a
 * job that runs: it was added first, yet the foreground job's reads all
 * come before its first one. */
static void
test_background_job_yields_the_bus(void)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct proto_identity	 id;
	struct job_runner	*r;
	struct job		*bg, *fg;
	char			*cause = NULL;
	int			 most, bg_first, fg_last;

	if (fakeslave_rig_start(&rig, 0, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	pile_identity(rig.pile, &id, &cause);
	free(cause);
	r = job_runner_new();
	bg = new_job(rig.pile, "status");
	fg = new_job(rig.pile, "tariff show");
	bg->background = 1;
	job_runner_add(r, bg);
	job_runner_add(r, fg);
	run_all(r, &most);
	is_int(job_exit_code(fg), EXIT_OK, "foreground_job_succeeds");
	is_int(job_exit_code(bg), EXIT_OK, "background_job_succeeds_after_it");
	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	bg_first = log_line(rig.log, "03 0100", 0);
	fg_last = log_line(rig.log, "03 03", 1);
	ok(fg_last >= 0 && bg_first >= 0, "both_jobs_read_the_pile (%d %d)", fg_last,
	    bg_first);
	ok(fg_last < bg_first, "background_read_waits_for_every_foreground_read "
	    "(foreground's last at line %d, background's first at %d)", fg_last,
	    bg_first);
	free(rig.log);
}

static void
test_silent_pile_is_an_error_with_its_cause(void)
{
	struct pile_bus_opts	 opts = { 50, 0, 0 };
	struct fakeslave_rig	 rig;
	struct job_runner	*r;
	struct job		*job;
	int			 most;

	if (fakeslave_rig_start(&rig, FS_SILENT, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	r = job_runner_new();
	job = new_job(rig.pile, "status");
	job_runner_add(r, job);
	run_all(r, &most);
	is_int(job_exit_code(job), EXIT_NO_ANSWER, "silent_pile_exits_3");
	is_int(job->result.error.pile_rc, PILE_E_TIMEOUT,
	    "the_pile_error_is_kept_apart_from_the_exit_code");
	ok(job->result.error.cause != NULL &&
	    strstr(job->result.error.cause, "no answer from address 1") != NULL,
	    "cause_names_the_address");
	ok(job->result.data == NULL, "a_failed_job_has_no_data");
	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	free(rig.log);
}

/* The runner's gate, asked before a job puts a transaction on the wire:
 * cancels job (arg) as its identity read is about to go out, so the
 * cancel comes with that read in flight however fast the slave answers
 * (cancelling after a runner step raced a fast slave under ASan: the read
 * and the step's first could both be done by then). */
static int
cancel_at_identity(void *arg, struct pile_bus *bus)
{
	struct job	*job = arg;

	(void)bus;
	if (!job_cancelled(job) && job->xfer.req.fc == PROTO_FC_READ_HOLDING &&
	    job->xfer.req.read_addr == PROTO_IDENTITY_ADDR)
		job_cancel(job);
	return 1;
}

static void
test_cancel_waits_for_the_transaction(void)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct job_runner	*r;
	struct job		*job;
	int			 most;

	if (fakeslave_rig_start(&rig, 0, NULL, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	r = job_runner_new();
	job = new_job(rig.pile, "status");
	job_runner_set_gate(r, cancel_at_identity, job);
	job_runner_add(r, job);
	run_all(r, &most);
	ok(job_finished(job), "cancelled_job_finishes");
	/* Cancelled while the runner read the identity: the command's step
	 * never runs (status used to read all and finish after the Esc). */
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED &&
	    job->result.error.cause != NULL &&
	    strcmp(job->result.error.cause, "interrupted: nothing was written") == 0,
	    "a_job_cancelled_while_it_connects_stops_before_its_step");
	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	/* The transaction in flight was not cut: its answer was read. */
	is_int(fakeslave_count(rig.log, "03 0000"), 1,
	    "transaction_in_flight_was_finished_not_cut");
	is_int(fakeslave_count(rig.log, "03 0100"), 0,
	    "status_read_nothing_after_the_cancel (no live block)");
	free(rig.log);
}

static const uint8_t	test_key[PROTO_KEY_BYTES] = { 0x11, 0x22, 0x33, 0x44 };

static int
started(struct job *job)
{
	return job->pile != NULL && job->phase != 0;
}

/* The count of log lines of FC fc at addr. */
static int
logged(const char *log, unsigned fc, unsigned addr)
{
	char	prefix[16];

	snprintf(prefix, sizeof prefix, "%02x %04x ", fc, addr);
	return fakeslave_count(log, prefix);
}

/* Esc while a write command reads the pile's state: nothing is written,
 * not even the session's response. */
static void
test_cancelled_write_writes_nothing(const char *line, unsigned addr, const char *name)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct job_runner	*r;
	struct job		*job;
	int			 most;

	if (fakeslave_rig_start(&rig, 0, test_key, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(rig.pile, test_key);
	r = job_runner_new();
	job = new_job(rig.pile, line);
	job_runner_add(r, job);
	/*
	 * Esc before the job's first turn: the runner stops it before anything
	 * goes on the wire. (Cancelling a turn later raced: a fast slave could
	 * answer and the command's own reads end before the test looked, so
	 * the write had begun, and a begun write is finished.)
	 */
	job_cancel(job);
	job_runner_step(r);
	ok(started(job), "%s_started", name);
	run_all(r, &most);
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "cancelled_%s_fails_saying_it_was_stopped", name);
	ok(job->result.error.cause != NULL &&
	    strstr(job->result.error.cause, "nothing was written") != NULL,
	    "cancelled_%s_says_nothing_was_written", name);

	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	is_int(logged(rig.log, PROTO_FC_WRITE_MULTIPLE, addr), 0,
	    "cancelled_%s_sent_no_write", name);
	is_int(logged(rig.log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_AUTH_RESPONSE), 0,
	    "cancelled_%s_opened_no_session", name);
	free(rig.log);
}

/* A whitelist sync cancelled between two commands is finished, and a
 * staged one cancelled before its commit changes nothing: both need a pile
 * that keeps a real list (tests/unit-wl-apply.c, against pilesim). */

/* A CSV of n cards in dir; the path in csv. */
static int
cards_csv(const char *dir, int n, char *csv, size_t len)
{
	FILE	*f;
	int	 i;

	snprintf(csv, len, "%s/cards.csv", dir);
	if ((f = fopen(csv, "w")) == NULL)
		return -1;
	fputs("uid,status,expires,holder\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "04%06X,accepted,,holder %d\n", 0x100 + i, i);
	return fclose(f);
}

/* Esc pressed when the plan starts reading the pile's list (the job tells
 * its progress: cards read of the count), from inside the step, so the
 * point is the test's and not the scheduler's. */
static void
cancel_when_reading_cards(struct job *job, enum job_notify what, void *arg)
{
	int	*seen = arg;

	if (what == JOB_NOTIFY_PROGRESS && job->result.progress.what != NULL &&
	    strcmp(job->result.progress.what, "cards") == 0 && !*seen) {
		*seen = 1;
		job_cancel(job);
	}
}

/* Esc while a whitelist sync plans: planning writes nothing, so the sync
 * stops at the next transaction boundary and says nothing was written. */
static void
test_cancelled_whitelist_sync_plan_writes_nothing(void)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct job_runner	*r;
	struct job		*job;
	char			 path[] = "/tmp/unit-job-XXXXXX", csv[64], line[128];
	int			 most, seen = 0;

	if (mkdtemp(path) == NULL || (setenv("PILECON_STATE_DIR", path, 1),
	    cards_csv(path, 40, csv, sizeof csv)) != 0) {
		ok(0, "csv");
		return;
	}
	if (fakeslave_rig_start(&rig, 0, test_key, 1, &opts) != 0) {
		ok(0, "rig");
		return;
	}
	pile_set_key(rig.pile, test_key);
	r = job_runner_new();
	snprintf(line, sizeof line, "whitelist sync %s", csv);
	job = new_job(rig.pile, line);
	job->notify = cancel_when_reading_cards;
	job->notify_arg = &seen;
	job_runner_add(r, job);
	run_all(r, &most);
	ok(seen, "sync_plan_tells_the_cards_it_reads");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "cancelled_sync_plan_fails_saying_it_was_stopped");
	ok(job->result.error.cause != NULL &&
	    strcmp(job->result.error.cause, "interrupted: nothing was written") == 0,
	    "cancelled_sync_plan_says_nothing_was_written");
	if (job->result.error.cause != NULL)
		printf("# cause: %s\n", job->result.error.cause);
	job_runner_free(r);
	fakeslave_rig_stop(&rig);
	is_int(logged(rig.log, PROTO_FC_READ_WRITE_MULTIPLE, PROTO_A_WL_CURSOR), 1,
	    "cancelled_sync_plan_finished_the_window_in_flight");
	is_int(logged(rig.log, PROTO_FC_READ_HOLDING, PROTO_A_WL_RESULT), 1,
	    "cancelled_sync_plan_stopped_before_the_next_read");
	is_int(logged(rig.log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_WL_CMD), 0,
	    "cancelled_sync_plan_sent_no_command");
	is_int(logged(rig.log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_AUTH_RESPONSE), 0,
	    "cancelled_sync_plan_opened_no_session");
	free(rig.log);
	unlink(csv);
	rmdir(path);
}


static void
test_unknown_command_is_a_usage_error(void)
{
	char	*argv[] = { "frobnicate", NULL };
	char	*cause = NULL;
	int	 exit_code = 0;

	ok(job_new(&ctx, 1, argv, NULL, NULL, &exit_code, &cause) == NULL,
	    "unknown_command_makes_no_job");
	is_int(exit_code, EXIT_USAGE, "unknown_command_is_exit_2");
	free(cause);
}

int
main(void)
{
	pilecon_opts_init(&ctx.opts);
	ctx.out = stdout;
	ctx.err = stderr;
	test_status_job_gives_a_result();
	test_two_jobs_share_the_bus();
	test_background_job_yields_the_bus();
	test_silent_pile_is_an_error_with_its_cause();
	test_cancel_waits_for_the_transaction();
	test_cancelled_write_writes_nothing("offline on --for 1h",
	    PROTO_A_CTL_FORCE_OFFLINE, "offline_on");
	test_cancelled_write_writes_nothing("offline off", PROTO_A_CTL_FORCE_OFFLINE,
	    "offline_off");
	test_cancelled_write_writes_nothing("clock set 2030-01-01T00:00:00Z",
	    PROTO_A_CTL_CLOCK, "clock_set");
	test_cancelled_write_writes_nothing("whitelist add 04A1B2C3", PROTO_A_WL_CMD,
	    "whitelist_add");
	test_cancelled_whitelist_sync_plan_writes_nothing();
	test_unknown_command_is_a_usage_error();
	return done_testing();
}
