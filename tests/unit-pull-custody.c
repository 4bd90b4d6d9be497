/* unit-pull-custody.c - `logs pull --custody` a transaction a turn, and
 * Esc during it: against the fake slave (tests/fakeslave.c) as a 1.1 pile
 * with custody. The test cancels at points it controls: from the bus's
 * trace, when the request it names goes on the wire (the step sees the
 * cancel when that transaction ends). Before the custody write nothing is
 * handed over (exit 1, the records pulled stay archived); a custody write
 * on the wire is finished. The same pull run as sub-steps of another job,
 * as provisioning runs it (prov_custody_step). On a bus without FC 23
 * each window is its two halves, each a transaction of the runner's; a
 * record that fails its CRC-32 is read once more the same way. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fakeslave.h"
#include "archive/archive.h"
#include "batch/job.h"
#include "batch/provision.h"
#include "tap.h"

static struct cmd_ctx		ctx;
static const uint8_t		test_key[PROTO_KEY_BYTES] = { 0x5a, 0x01, 0x02, 0x03 };

/* What the bus's trace watches: requests sent from inside a step (a
 * blocking call; the runner sends the others between steps), and the
 * request (fc at addr, its nth time) on which to cancel the job. */
struct watch {
	struct job	*job;
	unsigned	 fc, addr;
	int		 nth, seen;
	int		 step_tx;
	uint32_t	 cursor;	/* record windows asked for at this seq */
	int		 cursor_tx;
};

/* The job's step, wrapped to tell the trace when it runs. */
static const struct cmd_entry	*wrapped;
static struct cmd_entry		 wrapper;
static int			 in_step;

static enum job_return
wrapped_step(struct job *job)
{
	enum job_return	rc;

	in_step++;
	rc = wrapped->step(job);
	in_step--;
	return rc;
}

static void
wrap(struct job *job)
{
	wrapped = job->entry;
	wrapper = *job->entry;
	wrapper.step = wrapped_step;
	job->entry = &wrapper;
}

static uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void
watch_trace(void *arg, enum pile_trace_dir dir, uint8_t unit, const uint8_t *buf,
    size_t len, uint64_t wall_us)
{
	struct watch	*w = arg;
	unsigned	 fc, addr;

	(void)unit;
	(void)wall_us;
	if (dir != PILE_TRACE_TX || len < 4)
		return;
	if (in_step)
		w->step_tx++;
	fc = buf[1];
	addr = (unsigned)buf[2] << 8 | buf[3];
	/* The record cursor written: by FC 23 (its values after 11 bytes)
	 * or by the FC 16 half (after 7). */
	if (w->cursor != 0 && ((fc == PROTO_FC_READ_WRITE_MULTIPLE && len >= 15 &&
	    ((unsigned)buf[6] << 8 | buf[7]) == PROTO_A_REC_CURSOR &&
	    be32(buf + 11) == w->cursor) ||
	    (fc == PROTO_FC_WRITE_MULTIPLE && addr == PROTO_A_REC_CURSOR && len >= 11 &&
	    be32(buf + 7) == w->cursor)))
		w->cursor_tx++;
	if (w->job != NULL && fc == w->fc && addr == w->addr && ++w->seen == w->nth)
		job_cancel(w->job);
}

/* Runs job to its end in a runner of its own; 1 when it finished. */
static int
run(struct job *job, struct watch *w)
{
	struct job_runner	*r = job_runner_new();
	struct pollfd		 pfd[4];
	int			 n, timeout, turns, finished = 0;

	job_runner_add(r, job);
	for (turns = 0; job_runner_running(r) > 0 && turns < 200000; turns++) {
		n = job_runner_pollfds(r, pfd, 4, &timeout);
		poll(pfd, (nfds_t)n, timeout < 0 || timeout > 50 ? 50 : timeout);
		job_runner_step(r);
	}
	finished = job_runner_take_done(r) == job;
	job_runner_free(r);
	return finished;
}

static int
count_row(const struct archive_row *row, void *arg)
{
	(void)row;
	(*(unsigned *)arg)++;
	return 0;
}

static unsigned
archived(void)
{
	unsigned	 n = 0;
	char		*cause = NULL;

	if (archive_foreach(ctx.archive, FS_SERIAL, count_row, &n, &cause) != 0) {
		printf("# archive: %s\n", cause);
		free(cause);
	}
	return n;
}

static int
logged(const char *log, unsigned fc, unsigned addr)
{
	char	prefix[16];

	snprintf(prefix, sizeof prefix, "%02x %04x ", fc, addr);
	return fakeslave_count(log, prefix);
}

static const char *
cause_of(const struct job *job)
{
	return job->result.error.cause != NULL ? job->result.error.cause : "";
}

struct rig {
	struct fakeslave_rig	fr;
	struct proto_identity	id;
	struct watch		w;
	uint32_t		custody_last;	/* the pile's, after the job */
};

static int
rig_start(struct rig *rg, unsigned mode, int no_fc23, const char *dir, const char *name)
{
	struct pile_bus_opts	 opts = { 2000, 2, no_fc23 };
	char			*cause = NULL;

	memset(rg, 0, sizeof *rg);
	ctx.opts.archive_path = xasprintf("%s/%s.db", dir, name);
	if (fakeslave_rig_start(&rg->fr, mode, test_key, 1, &opts) != 0 ||
	    pile_identity(rg->fr.pile, &rg->id, &cause) != 0) {
		ok(0, "%s: the fake 1.1 pile answers: %s", name, cause != NULL ? cause : "");
		free(cause);
		return -1;
	}
	pile_set_key(rg->fr.pile, test_key);
	pile_bus_set_trace(rg->fr.bus, watch_trace, &rg->w);
	return 0;
}

/* Reads the pile's custody mark, then stops both ends (rg->fr.log). */
static void
rig_stop(struct rig *rg)
{
	struct proto_live	 live;
	char			*cause = NULL;

	pile_bus_set_trace(rg->fr.bus, NULL, NULL);
	if (pile_live(rg->fr.pile, &live, &cause) == 0)
		rg->custody_last = live.custody_last_seq;
	else {
		printf("# live: %s\n", cause);
		free(cause);
	}
	fakeslave_rig_stop(&rg->fr);
	cmd_ctx_close(&ctx);
	free(ctx.opts.archive_path);
	ctx.opts.archive_path = NULL;
}

static struct job *
pull_job(struct rig *rg)
{
	char		*argv[] = { "logs", "pull", "--custody" }, *cause = NULL;
	struct job	*job;
	int		 exit_code;

	job = job_new(&ctx, 3, argv, rg->fr.pile, &rg->id, &exit_code, &cause);
	if (job == NULL) {
		printf("# job_new: %s\n", cause);
		free(cause);
	}
	return job;
}

static void
custody_pull_is_a_transaction_a_turn(const char *dir, unsigned mode, int no_fc23,
    const char *name)
{
	struct rig	 rg;
	struct job	*job;
	const struct json *c;

	if (rig_start(&rg, mode, no_fc23, dir, name) != 0 || (job = pull_job(&rg)) == NULL)
		return;
	wrap(job);
	ok(run(job, &rg.w), "%s: the pull runs to its end", name);
	is_int(job_exit_code(job), EXIT_OK, "%s: pull_custody_exits_0 %s", name,
	    cause_of(job));
	c = json_get(job->result.data, "custody");
	ok(c != NULL && json_get_int(c, "first_seq", 0) == 1 &&
	    json_get_int(c, "last_seq", 0) == FS_RECORDS &&
	    json_get_int(c, "count", 0) == FS_RECORDS,
	    "%s: it_says_records_1_to_100_went_into_custody", name);
	is_int(rg.w.step_tx, 0, "%s: no_step_sends_a_request_itself (a transaction "
	    "a turn, on the runner)", name);
	is_int(archived(), FS_RECORDS, "%s: the_archive_holds_every_record", name);
	job_free(job);
	rig_stop(&rg);
	is_int(rg.custody_last, FS_RECORDS, "%s: the_pile_holds_them_in_custody", name);
	is_int(logged(rg.fr.log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_CUSTODY_FIRST), 1,
	    "%s: one_custody_write", name);
	is_int(fakeslave_count(rg.fr.log, "03 0000 "), 1,
	    "%s: the_identity_given_is_not_read_again (once, by the test)", name);
	free(rg.fr.log);
}

/* Record FS_BAD_SEQ fails its CRC-32 (the Modbus CRC passes): its window is
 * read once more, as every other request, by the runner, then the pull
 * stops there and says why; the records before it stay archived. */
static void
bad_record_is_read_once_more(const char *dir, int no_fc23, const char *name)
{
	struct rig	 rg;
	struct job	*job;

	if (rig_start(&rg, FS_CUSTODY | FS_BAD_RECORD, no_fc23, dir, name) != 0 ||
	    (job = pull_job(&rg)) == NULL)
		return;
	wrap(job);
	rg.w.cursor = FS_BAD_SEQ;
	ok(run(job, &rg.w), "%s: the pull ends", name);
	is_int(job_exit_code(job), EXIT_FAILED, "%s: the_pull_exits_1", name);
	ok(strstr(cause_of(job), "fails its CRC-32") != NULL,
	    "%s: it_names_the_record_that_fails_its_crc32: %s", name, cause_of(job));
	is_int(rg.w.cursor_tx, 2, "%s: its_window_was_asked_for_twice", name);
	is_int(rg.w.step_tx, 0, "%s: no_step_sends_a_request_itself (the second "
	    "read too goes through the runner)", name);
	is_int(archived(), FS_BAD_SEQ - 1, "%s: the_records_before_it_stay_archived",
	    name);
	ok(json_get(job->result.data, "custody") == NULL,
	    "%s: nothing_goes_into_custody", name);
	job_free(job);
	rig_stop(&rg);
	is_int(rg.custody_last, 0, "%s: the_pile_holds_nothing_in_custody", name);
	free(rg.fr.log);
}

/* Esc when the request fc at addr goes out for the nth time: before the
 * custody write, nothing is handed over. */
static void
cancel_before_the_write_hands_nothing_over(const char *dir, unsigned fc, unsigned addr,
    int nth, unsigned want_archived, const char *name)
{
	struct rig	 rg;
	struct job	*job;

	if (rig_start(&rg, FS_CUSTODY, 0, dir, name) != 0 || (job = pull_job(&rg)) == NULL)
		return;
	rg.w.job = job;
	rg.w.fc = fc;
	rg.w.addr = addr;
	rg.w.nth = nth;
	ok(run(job, &rg.w), "%s: the pull ends", name);
	is_int(rg.w.seen >= nth, 1, "%s: the_cancel_point_was_reached", name);
	ok(job->result.cancelled && job_exit_code(job) == EXIT_FAILED,
	    "%s: cancelled_pull_custody_exits_1", name);
	ok(strstr(cause_of(job), "nothing was handed into custody") != NULL,
	    "%s: it_says_nothing_was_handed_over: %s", name, cause_of(job));
	ok(json_get(job->result.data, "custody") == NULL,
	    "%s: the_result_names_no_custody_range", name);
	is_int(archived(), want_archived, "%s: the_records_pulled_stay_archived", name);
	job_free(job);
	rig_stop(&rg);
	is_int(rg.custody_last, 0, "%s: the_pile_holds_nothing_in_custody", name);
	is_int(logged(rg.fr.log, PROTO_FC_WRITE_MULTIPLE, PROTO_A_CUSTODY_FIRST), 0,
	    "%s: no_custody_write_was_sent", name);
	free(rg.fr.log);
}

/* Esc while the custody write is on the wire: the write is one change,
 * finished once begun. */
static void
cancel_during_the_write_finishes_it(const char *dir)
{
	struct rig	 rg;
	struct job	*job;
	const struct json *c;

	if (rig_start(&rg, FS_CUSTODY, 0, dir, "write") != 0 || (job = pull_job(&rg)) == NULL)
		return;
	rg.w.job = job;
	rg.w.fc = PROTO_FC_WRITE_MULTIPLE;
	rg.w.addr = PROTO_A_CUSTODY_FIRST;
	rg.w.nth = 1;
	ok(run(job, &rg.w), "write: the pull ends");
	ok(job_cancelled(job) && !job->result.cancelled,
	    "write: the_cancel_came_with_the_write_on_the_wire_too_late_to_stop_it");
	is_int(job_exit_code(job), EXIT_OK, "write: a_begun_custody_write_is_finished "
	    "(exit 0) %s", cause_of(job));
	c = json_get(job->result.data, "custody");
	ok(c != NULL && json_get_int(c, "count", 0) == FS_RECORDS,
	    "write: the_result_says_what_went_into_custody");
	job_free(job);
	rig_stop(&rg);
	is_int(rg.custody_last, FS_RECORDS, "write: the_pile_holds_them_in_custody");
	free(rg.fr.log);
}

/* ---- the pull as sub-steps of another job (provisioning's) -------------- */

static struct prov_item	 item;

static enum job_return
parent_step(struct job *job)
{
	enum job_return	rc;

	switch (job->state) {
	case 0:
		/* Something of its own first, as provisioning applies. */
		job->state = 1;
		return job_read(job, PROTO_A_ID_SERIAL, 1);
	case 1:
		if ((rc = prov_custody_step(job, &item)) == JOB_WAIT)
			return JOB_WAIT;
		job->state = 2;
		return job_read(job, PROTO_A_ID_SERIAL, 1);
	}
	return JOB_NORMAL;
}

static const struct cmd_entry parent_entry = {
	.name = "parent",
	.step = parent_step,
};

static void
custody_as_sub_steps(const char *dir, int cancel, const char *name)
{
	static struct prov_pile	 want;
	struct rig		 rg;
	struct job		*job;
	char			*argv[] = { "status" }, *cause = NULL;
	int			 exit_code;

	if (rig_start(&rg, FS_CUSTODY, 0, dir, name) != 0)
		return;
	memset(&want, 0, sizeof want);
	want.custody = 1;
	memset(&item, 0, sizeof item);
	item.want = &want;
	item.pile = rg.fr.pile;
	item.id = rg.id;
	item.have_id = 1;
	item.ok = 1;
	if ((job = job_new(&ctx, 1, argv, rg.fr.pile, &rg.id, &exit_code, &cause)) == NULL) {
		ok(0, "%s: job_new: %s", name, cause);
		free(cause);
		return;
	}
	job->entry = &parent_entry;
	wrap(job);
	if (cancel) {
		rg.w.job = job;		/* the parent: its cancel reaches the pull */
		rg.w.fc = PROTO_FC_READ_HOLDING;
		rg.w.addr = PROTO_A_AUTH_CHALLENGE;
		rg.w.nth = 1;
	}
	ok(run(job, &rg.w), "%s: the job runs to its end", name);
	is_int(rg.w.step_tx, 0, "%s: the_parent's_steps_send_no_request_themselves (the "
	    "pull's go through the runner)", name);
	ok(item.custody_ran && item.custody_job == NULL, "%s: the_pull_ran_and_is_freed",
	    name);
	if (!cancel) {
		is_int(job_exit_code(job), EXIT_OK, "%s: the_job_goes_on_after_the_pull", name);
		ok(item.ok && item.custody_count == FS_RECORDS && item.custody_first == 1 &&
		    item.custody_last == FS_RECORDS && item.custody_pulled == FS_RECORDS,
		    "%s: the_item_says_what_was_pulled_and_handed_over", name);
	} else {
		ok(!item.ok && item.why != NULL &&
		    strstr(item.why, "nothing was handed into custody") != NULL,
		    "%s: the_item_says_nothing_was_handed_over: %s", name,
		    item.why != NULL ? item.why : "");
		is_int(archived(), FS_RECORDS, "%s: the_records_pulled_stay_archived", name);
	}
	job_free(job);
	rig_stop(&rg);
	is_int(rg.custody_last, cancel ? 0 : FS_RECORDS, "%s: the_pile's_custody_mark",
	    name);
	/* The parent's own reads, before and after the pull. */
	is_int(logged(rg.fr.log, PROTO_FC_READ_HOLDING, PROTO_A_ID_SERIAL), 2,
	    "%s: the_parent's_steps_ran_around_it", name);
	free(rg.fr.log);
	free(item.why);
}

int
main(void)
{
	char	dir[] = "/tmp/unit-pull-custody.XXXXXX", *cmd;

	if (mkdtemp(dir) == NULL)
		return 1;
	pilecon_opts_init(&ctx.opts);
	ctx.out = stdout;
	ctx.err = stdout;
	custody_pull_is_a_transaction_a_turn(dir, FS_CUSTODY, 0, "plain");
	custody_pull_is_a_transaction_a_turn(dir, FS_CUSTODY | FS_SIGNED, 0, "signed");
	/* Without FC 23: the option, and a pile that refuses it (the bus
	 * learns it from the first window). */
	custody_pull_is_a_transaction_a_turn(dir, FS_CUSTODY, 1, "no_fc23_option");
	custody_pull_is_a_transaction_a_turn(dir, FS_CUSTODY | FS_NO_FC23, 0,
	    "fc23_refused");
	custody_pull_is_a_transaction_a_turn(dir, FS_CUSTODY | FS_SIGNED | FS_NO_FC23, 0,
	    "signed_fc23_refused");
	bad_record_is_read_once_more(dir, 0, "bad_record");
	bad_record_is_read_once_more(dir, 1, "bad_record_no_fc23");
	/* The pull's first live read is the first; the hand-over's the second. */
	cancel_before_the_write_hands_nothing_over(dir, PROTO_FC_READ_HOLDING,
	    PROTO_LIVE_ADDR, 2, FS_RECORDS, "live");
	cancel_before_the_write_hands_nothing_over(dir, PROTO_FC_READ_HOLDING,
	    PROTO_A_AUTH_CHALLENGE, 1, FS_RECORDS, "auth");
	cancel_before_the_write_hands_nothing_over(dir, PROTO_FC_WRITE_MULTIPLE,
	    PROTO_A_AUTH_RESPONSE, 1, FS_RECORDS, "response");
	/* The tenth window (records 19 and 20) is read, then the pull stops
	 * (an FC 23 request names the address it reads first). */
	cancel_before_the_write_hands_nothing_over(dir, PROTO_FC_READ_WRITE_MULTIPLE,
	    PROTO_A_REC_WINDOW, 10, 20, "windows");
	cancel_during_the_write_finishes_it(dir);
	custody_as_sub_steps(dir, 0, "sub");
	custody_as_sub_steps(dir, 1, "sub_cancelled");
	pilecon_opts_free(&ctx.opts);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	free(cmd);
	return done_testing();
}
