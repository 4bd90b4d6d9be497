/* unit-job-cancel.c - Esc (job_cancel) in the middle of the jobs that write
 * in several steps, against the fake pile: `provision` and `resync --wait`.
 * The cancel is pressed at a point the test names, from the runner's gate,
 * which is asked before each transaction goes on the wire: "when the next
 * transaction is the write of the settings" is the same point however fast
 * the fake pile answers. The job stops at the next transaction boundary, a
 * write begun is finished, and the result says what was applied and what
 * was not. */
#include "config.h"

#include <sys/stat.h>

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
static const uint8_t	test_key[PROTO_KEY_BYTES] = { 0x11, 0x22, 0x33, 0x44 };
static char		dir[] = "/tmp/unit-job-cancel-XXXXXX";
static char		yaml[128], keys[128];

/* The point to cancel at: the first time the job is about to put this
 * transaction on the wire. */
static struct {
	struct job	*job;
	uint8_t		 fc;
	uint16_t	 addr;
	int		 seen;
} at;
static uint8_t		at_unit;	/* and to this address (0: any) */

static int
cancel_gate(void *arg, struct pile_bus *bus)
{
	const struct proto_request	*q;
	uint16_t			 addr;

	(void)arg;
	(void)bus;
	if (at.job == NULL || at.seen || at.fc == 0)
		return 1;
	q = &at.job->xfer.req;
	addr = q->fc == PROTO_FC_READ_HOLDING ? q->read_addr : q->write_addr;
	if (q->fc == at.fc && addr == at.addr && (at_unit == 0 || q->unit == at_unit)) {
		job_cancel(at.job);
		at.seen = 1;
	}
	return 1;
}

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

/* Runs job alone in a runner until it finishes, cancelling where `at`
 * says (fc 0: never). */
static void
run_job(struct job *job, uint8_t fc, uint16_t addr)
{
	struct job_runner	*r = job_runner_new();
	struct pollfd		 pfd[4];
	int			 n, timeout, turns;

	memset(&at, 0, sizeof at);
	at.job = job;
	at.fc = fc;
	at.addr = addr;
	job_runner_set_gate(r, cancel_gate, NULL);
	job_runner_add(r, job);
	job_runner_step(r);
	for (turns = 0; job_runner_running(r) > 0 && turns < 100000; turns++) {
		n = job_runner_pollfds(r, pfd, 4, &timeout);
		poll(pfd, (nfds_t)n, timeout);
		job_runner_step(r);
	}
	(void)job_runner_take_done(r);
	job_runner_free(r);
	at.job = NULL;
}

/* The count of log lines of FC fc at addr. */
static int
logged(const char *log, unsigned fc, unsigned addr)
{
	char	prefix[16];

	snprintf(prefix, sizeof prefix, "%02x %04x ", fc, addr);
	return fakeslave_count(log, prefix);
}

/* The names in the array key of the pile's result, "a,b". */
static char *
names(const struct job *job, const char *key)
{
	const struct json	*piles, *arr;
	char			*s = xstrdup(""), *t;
	size_t			 i;

	piles = json_get(job->result.data, "piles");
	if (piles == NULL || piles->type != JSON_ARRAY || piles->n < 1)
		return s;
	arr = json_get(piles->v[0], key);
	if (arr == NULL || arr->type != JSON_ARRAY)
		return s;
	for (i = 0; i < arr->n; i++) {
		t = xasprintf("%s%s%s", s, i ? "," : "", arr->v[i]->s);
		free(s);
		s = t;
	}
	return s;
}

static void
write_files(void)
{
	FILE	*f;
	size_t	 i;

	snprintf(yaml, sizeof yaml, "%s/site.yaml", dir);
	snprintf(keys, sizeof keys, "%s/keys.yaml", dir);
	if ((f = fopen(yaml, "w")) == NULL)
		return;
	fputs("piles:\n"
	    "  - address: 1\n"
	    "    clock_sync: true\n"
	    "    offline_auth: {offline_charging: false, unknown_card: accept, "
	    "offline_max_wh: 5000}\n"
	    "    offline_tariff:\n"
	    "      version: 20261205\n"
	    "      periods:\n"
	    "        sharp:  {energy: 1.32000, service: 0.80000}\n"
	    "        peak:   {energy: 1.08000, service: 0.80000}\n"
	    "        flat:   {energy: 0.72000, service: 0.60000}\n"
	    "        valley: {energy: 0.31000, service: 0.40000}\n"
	    "      slots:\n"
	    "        00:00-08:00: valley\n"
	    "        08:00-12:00: flat\n"
	    "        12:00-18:00: peak\n"
	    "        18:00-24:00: sharp\n"
	    "    force_offline: {on: true, for: 2h}\n", f);
	fclose(f);
	if ((f = fopen(keys, "w")) == NULL)
		return;
	fputs("keys:\n  - serial: " FS_SERIAL "\n    key: ", f);
	for (i = 0; i < PROTO_KEY_BYTES; i++)
		fprintf(f, "%02x", test_key[i]);
	fputs("\n", f);
	fclose(f);
	chmod(keys, 0600);
}

/* One provision run against a fresh fake pile, cancelled where fc/addr
 * say; the job (finished) and the pile's log. */
static struct job *
provision(uint8_t fc, uint16_t addr, char **log)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct job		*job;
	char			 line[256];

	*log = NULL;
	if (fakeslave_rig_start(&rig, 0, test_key, 1, &opts) != 0)
		return NULL;
	ctx.link = rig.link;
	ctx.opts.keys_file = keys;
	snprintf(line, sizeof line, "provision %s --json", yaml);
	if ((job = new_job(NULL, line)) != NULL)
		run_job(job, fc, addr);
	ctx.link = NULL;
	fakeslave_rig_stop(&rig);
	*log = rig.log;
	return job;
}

static int
writes_in(const char *log)
{
	return fakeslave_count(log, "10 ");
}

static void
test_provision_applies_every_section(void)
{
	struct job	*job;
	char		*log, *s;

	job = provision(0, 0, &log);
	if (job == NULL) {
		ok(0, "provision_ran");
		free(log);
		return;
	}
	ok(!job->result.cancelled, "provision_not_cancelled");
	is_int(job_exit_code(job), EXIT_OK, "uncancelled_provision_succeeds %s",
	    job->result.error.cause ? job->result.error.cause : "");
	s = names(job, "applied");
	is_str(s, "clock,offline_auth,offline_tariff,force_offline",
	    "every_section_is_applied_and_read_back");
	free(s);
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_TARIFF_VERSION), 1,
	    "the_tariff_is_written_once");
	job_free(job);
	free(log);
}

static void
test_provision_cancelled_in_the_plan_writes_nothing(void)
{
	struct job	*job;
	char		*log;

	/* Esc as the pile's settings are about to be read. */
	job = provision(PROTO_FC_READ_HOLDING, PROTO_A_SET_OFFLINE_CHARGING, &log);
	if (job == NULL) {
		ok(0, "provision_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_settings_read_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "provision_cancelled_in_the_plan_exits_1");
	ok(job->result.error.cause != NULL &&
	    strcmp(job->result.error.cause, "interrupted: nothing was written") == 0,
	    "provision_cancelled_in_the_plan_says_nothing_was_written");
	is_int(logged(log, PROTO_FC_READ_HOLDING, PROTO_A_SET_OFFLINE_CHARGING), 1,
	    "the_read_in_flight_was_finished");
	is_int(logged(log, PROTO_FC_READ_HOLDING, PROTO_A_TARIFF_VERSION), 0,
	    "no_read_after_the_cancel");
	is_int(writes_in(log), 0, "provision_cancelled_in_the_plan_sent_no_write");
	job_free(job);
	free(log);
}

/* Esc as the settings' write is about to go out: the clock was applied
 * before, the settings' write is finished but not read back, the tariff
 * and forced offline are not written; the result and its text say so. */
static void
test_provision_cancelled_at_a_write(void)
{
	struct job	*job;
	char		*log, *s;
	const char	*why;

	job = provision(PROTO_FC_WRITE_MULTIPLE, PROTO_A_SET_OFFLINE_CHARGING, &log);
	if (job == NULL) {
		ok(0, "provision_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_settings_write_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "provision_cancelled_at_a_write_exits_1");
	ok(job->result.error.cause != NULL &&
	    strstr(job->result.error.cause, "interrupted after 2 writes") != NULL,
	    "the_cause_counts_the_writes %s", job->result.error.cause ?
	    job->result.error.cause : "");
	ok(json_get_bool(job->result.data, "interrupted"), "the_result_says_interrupted");
	s = names(job, "applied");
	is_str(s, "clock", "what_was_applied_before_the_cancel");
	free(s);
	s = names(job, "unverified");
	is_str(s, "offline_auth", "the_write_begun_was_finished_not_read_back");
	free(s);
	s = names(job, "not_applied");
	is_str(s, "offline_tariff,force_offline", "what_was_not_applied");
	free(s);
	why = json_get_str(job->result.meta, "text");
	ok(why != NULL && strstr(why, "interrupted; applied: clock; written, not read "
	    "back: offline_auth; not applied: offline_tariff, force_offline") != NULL,
	    "the_text_says_per_pile_what_was_applied");
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_CTL_CLOCK), 1,
	    "the_clock_was_written");
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_SET_OFFLINE_CHARGING), 1,
	    "the_settings_write_went_out_whole");
	is_int(logged(log, PROTO_FC_READ_HOLDING, PROTO_A_SET_OFFLINE_CHARGING), 1,
	    "only_the_plan_read_the_settings");
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_TARIFF_VERSION), 0,
	    "the_tariff_was_not_written");
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_CTL_FORCE_OFFLINE), 0,
	    "forced_offline_was_not_written");
	job_free(job);
	free(log);
}

/* Esc as the session's response is about to go out for the first write:
 * the session and the write it opens for are one change, finished. */
static void
test_provision_cancelled_while_the_session_opens(void)
{
	struct job	*job;
	char		*log, *s;

	job = provision(PROTO_FC_WRITE_MULTIPLE, PROTO_A_AUTH_RESPONSE, &log);
	if (job == NULL) {
		ok(0, "provision_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_response_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "provision_cancelled_in_the_session_exits_1");
	s = names(job, "unverified");
	is_str(s, "clock", "the_write_the_session_was_for_was_finished");
	free(s);
	s = names(job, "not_applied");
	is_str(s, "offline_auth,offline_tariff,force_offline",
	    "nothing_after_it_was_written");
	free(s);
	is_int(writes_in(log), 2, "two_writes_response_and_clock");
	job_free(job);
	free(log);
}

/* One job on a fresh fake pile (FS_ONLINE and more, its key set; the
 * context's link is its), cancelled where fc/addr say; the job (finished)
 * and the pile's log. */
static struct job *
on_pile_mode(const char *line, unsigned mode, uint8_t fc, uint16_t addr, char **log)
{
	struct pile_bus_opts	 opts = { 2000, 2, 0 };
	struct fakeslave_rig	 rig;
	struct job		*job;

	*log = NULL;
	if (fakeslave_rig_start(&rig, FS_ONLINE | mode, test_key, 1, &opts) != 0)
		return NULL;
	pile_set_key(rig.pile, test_key);
	ctx.link = rig.link;
	if ((job = new_job(rig.pile, line)) != NULL)
		run_job(job, fc, addr);
	ctx.link = NULL;
	fakeslave_rig_stop(&rig);
	*log = rig.log;
	return job;
}

static struct job *
on_pile(const char *line, uint8_t fc, uint16_t addr, char **log)
{
	return on_pile_mode(line, 0, fc, addr, log);
}

/* resync --wait on a pile whose resync runs on. */
static struct job *
resync(uint8_t fc, uint16_t addr, char **log)
{
	return on_pile("resync --wait --timeout 60 --json", fc, addr, log);
}

static void
test_resync_cancelled_before_the_write(void)
{
	struct job	*job;
	char		*log;

	job = resync(PROTO_FC_READ_HOLDING, PROTO_LIVE_ADDR, &log);
	if (job == NULL) {
		ok(0, "resync_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_live_read_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "resync_cancelled_before_the_write_exits_1");
	ok(job->result.error.cause != NULL &&
	    strcmp(job->result.error.cause, "interrupted: nothing was written") == 0,
	    "resync_cancelled_before_the_write_says_nothing_was_written");
	is_int(writes_in(log), 0, "resync_cancelled_before_the_write_sent_no_write");
	job_free(job);
	free(log);
}

static void
test_resync_cancelled_at_its_write(void)
{
	struct job	*job;
	char		*log;

	job = resync(PROTO_FC_WRITE_MULTIPLE, PROTO_A_CTL_RESYNC, &log);
	if (job == NULL) {
		ok(0, "resync_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_resync_write_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "resync_cancelled_at_its_write_exits_1");
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_CTL_RESYNC), 1,
	    "the_resync_write_was_finished");
	is_int(logged(log, PROTO_FC_READ_HOLDING, PROTO_A_CTL_RESYNC_STATE), 0,
	    "nothing_was_read_after_it");
	ok(job->result.error.cause != NULL &&
	    strstr(job->result.error.cause, "interrupted") != NULL &&
	    strstr(job->result.error.cause, "the pile goes on uploading") != NULL,
	    "resync_cancelled_at_its_write_says_the_resync_was_started %s",
	    job->result.error.cause ? job->result.error.cause : "");
	ok(json_get_bool(job->result.data, "started"), "the_result_says_started");
	job_free(job);
	free(log);
}

static void
test_resync_cancelled_while_it_watches(void)
{
	struct job	*job;
	char		*log;

	job = resync(PROTO_FC_READ_HOLDING, PROTO_A_CTL_RESYNC_STATE, &log);
	if (job == NULL) {
		ok(0, "resync_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_state_read_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "resync_cancelled_while_it_watches_exits_1");
	is_int(logged(log, PROTO_FC_READ_HOLDING, PROTO_A_CTL_RESYNC_STATE), 1,
	    "the_watch_stopped_after_the_read_in_flight");
	ok(job->result.error.cause != NULL &&
	    strstr(job->result.error.cause, "still running after") == NULL &&
	    strstr(job->result.error.cause, "7 records unsynced") != NULL,
	    "a_cancelled_watch_does_not_claim_the_timeout %s",
	    job->result.error.cause ? job->result.error.cause : "");
	is_str(json_get_str(job->result.data, "state"), "running",
	    "the_result_says_the_resync_still_runs");
	job_free(job);
	free(log);
}

static char *rendered_err(const struct job *);

/* Esc as the state read goes out, on a pile whose upload is already over
 * (class: a command that decided "interrupted" from the cancel alone, not
 * from what was left): the resync is done, not "goes on uploading". */
static void
test_resync_over_when_cancelled_is_done(void)
{
	struct job	*job;
	char		*log, *err;

	job = on_pile_mode("resync --wait --timeout 60 --json", FS_RESYNC_QUICK,
	    PROTO_FC_READ_HOLDING, PROTO_A_CTL_RESYNC_STATE, &log);
	if (job == NULL) {
		ok(0, "resync_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_state_read_was_next");
	ok(!job->result.cancelled && job_exit_code(job) == EXIT_OK,
	    "a_resync_over_when_cancelled_exits_0 %s",
	    job->result.error.cause ? job->result.error.cause : "");
	is_str(json_get_str(job->result.data, "state"), "done", "the_result_says_done");
	ok(!json_get_bool(job->result.data, "interrupted"), "it_is_not_told_interrupted");
	err = rendered_err(job);
	ok(strstr(err, "finished: the cancel came too late to stop it") != NULL &&
	    strstr(err, "goes on uploading") == NULL,
	    "batch_says_it_finished: %s", err);
	free(err);
	job_free(job);
	free(log);
}

/* Esc as the scan's probe of its last address goes out: every address was
 * asked, the scan is whole (old: ", interrupted", exit 1). */
static void
test_scan_cancelled_at_its_last_probe_is_whole(void)
{
	struct job	*job;
	char		*log;

	at_unit = 3;
	ctx.opts.baud = 115200;		/* the rig's line */
	job = on_pile_mode("scan --from 1 --to 3 --timeout 50", 0, PROTO_FC_READ_HOLDING,
	    PROTO_A_ID_PROTOCOL, &log);
	ctx.opts.baud = 0;
	at_unit = 0;
	if (job == NULL) {
		ok(0, "scan_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_probe_of_address_3_was_next");
	ok(!job->result.cancelled && job_exit_code(job) == EXIT_OK,
	    "a_scan_cancelled_at_its_last_probe_exits_0 %s",
	    job->result.error.cause ? job->result.error.cause : "");
	is_int((int)json_len(job->result.data), 1, "it_found_the_pile_at_address_1");
	job_free(job);
	free(log);
}

/* What batch mode prints on stderr for the finished job. */
static char *
rendered_err(const struct job *job)
{
	char	*err = NULL, *out = NULL;
	size_t	 errlen = 0, outlen = 0;
	FILE	*ferr, *fout;

	if ((ferr = open_memstream(&err, &errlen)) == NULL ||
	    (fout = open_memstream(&out, &outlen)) == NULL)
		return xstrdup("");
	job_render(job, fout, ferr);
	fclose(fout);
	fclose(ferr);
	free(out);
	return err;
}

/* Esc as the write goes out: the write is one change, finished, and the
 * job succeeds; the cancel came too late to stop it, and it is not told
 * as stopped (the class: a job that finished after a cancel was reported
 * as "stopped" by whatever read result.cancelled). */
static void
test_offline_cancelled_at_its_write_finishes(void)
{
	struct job	*job;
	char		*log, *err;

	job = on_pile("offline on --for 1h", PROTO_FC_WRITE_MULTIPLE,
	    PROTO_A_CTL_FORCE_OFFLINE, &log);
	if (job == NULL) {
		ok(0, "offline_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_offline_write_was_next");
	is_int(logged(log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_CTL_FORCE_OFFLINE), 1,
	    "the_offline_write_was_finished");
	is_int(job_exit_code(job), EXIT_OK, "offline_cancelled_at_its_write_exits_0 %s",
	    job->result.error.cause ? job->result.error.cause : "");
	ok(job_cancelled(job) && !job->result.cancelled,
	    "a_job_finished_after_a_cancel_is_not_told_as_stopped");
	err = rendered_err(job);
	is_str(err, "'offline on' finished: the cancel came too late to stop it\n",
	    "batch_says_the_cancel_came_too_late");
	free(err);
	job_free(job);
	free(log);
}

static void
test_offline_cancelled_before_its_write_stops(void)
{
	struct job	*job;
	char		*log, *err;

	job = on_pile("offline on --for 1h", PROTO_FC_READ_HOLDING, PROTO_LIVE_ADDR,
	    &log);
	if (job == NULL) {
		ok(0, "offline_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_live_read_was_next");
	is_int(writes_in(log), 0, "offline_cancelled_before_its_write_sent_no_write");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "offline_cancelled_before_its_write_is_stopped_and_exits_1");
	err = rendered_err(job);
	is_str(err, "pilecon: interrupted: nothing was written\n",
	    "batch_says_nothing_was_written");
	free(err);
	job_free(job);
	free(log);
}

/* ping stopped before its count, as ping(8): stopped, and a success. */
static void
test_ping_stopped_before_its_count(void)
{
	struct job	*job;
	char		*log, *err;

	job = on_pile("ping -c 5 -i 0 -q", PROTO_FC_READ_HOLDING, PROTO_A_ID_PROTOCOL,
	    &log);
	if (job == NULL) {
		ok(0, "ping_ran");
		free(log);
		return;
	}
	ok(at.seen, "cancel_pressed_as_the_first_poll_was_next");
	ok(job->result.cancelled && job_exit_code(job) == EXIT_OK,
	    "ping_stopped_before_its_count_is_stopped_and_exits_0");
	is_int(json_get_int(job->result.data, "polls", 0), 1, "one_poll_was_sent");
	err = rendered_err(job);
	is_str(err, "", "batch_says_nothing_more");
	free(err);
	job_free(job);
	free(log);
}

int
main(void)
{
	char	path[160];

	pilecon_opts_init(&ctx.opts);
	ctx.out = stdout;
	ctx.err = stderr;
	if (mkdtemp(dir) == NULL) {
		ok(0, "tmpdir");
		return done_testing();
	}
	setenv("PILECON_STATE_DIR", dir, 1);
	write_files();
	test_provision_applies_every_section();
	test_provision_cancelled_in_the_plan_writes_nothing();
	test_provision_cancelled_at_a_write();
	test_provision_cancelled_while_the_session_opens();
	test_resync_cancelled_before_the_write();
	test_resync_cancelled_at_its_write();
	test_resync_cancelled_while_it_watches();
	test_resync_over_when_cancelled_is_done();
	test_scan_cancelled_at_its_last_probe_is_whole();
	test_offline_cancelled_at_its_write_finishes();
	test_offline_cancelled_before_its_write_stops();
	test_ping_stopped_before_its_count();
	ctx.opts.keys_file = NULL;
	unlink(yaml);
	unlink(keys);
	snprintf(path, sizeof path, "%s", dir);
	rmdir(path);
	return done_testing();
}
