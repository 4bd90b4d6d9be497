/* cmd-resync.c - `pilecon resync [--wait]`: ask the pile to upload its
 * unsynced records to the cloud now, and optionally watch the count fall
 * (a job that sleeps between reads, so the console keeps answering). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/job.h"

#define RESYNC_WAIT_DEFAULT_S	300
#define RESYNC_POLL_MS		250

static enum job_return	cmd_resync_step(struct job *);
static void		cmd_resync_render(const struct result *, FILE *);

const struct cmd_entry cmd_resync_entry = {
	.name = "resync",
	.args = "--wait --timeout=SECONDS --json",
	.usage = "[--wait] [--timeout S] [--json]",
	.help = N_("make the pile upload its unsynced records to the cloud now; --wait until done, then mark in the archive the records the cloud acknowledged"),
	.step = cmd_resync_step,
	.render = cmd_resync_render,
};

enum { RS_CHECK, RS_CONNECTED, RS_LIVE, RS_STARTED, RS_WATCH, RS_WATCH_LIVE, RS_WATCH_STATE,
	RS_FINAL_LIVE, RS_PROOF };

struct resync {
	long			 timeout_s;
	uint64_t		 deadline_ms;
	uint32_t		 before, unsynced;
	unsigned		 state;
	struct proto_live	 live;		/* the last live block read */
	struct archive_series	 series;	/* a 1.0 pile: the series to prove */
	int			 reconciled;	/* the archive knows the cloud's view */
	uint32_t		 archive_synced;	/* records it marked synced */
};

/* The pile says its upload is over: done, or idle with nothing left. */
static int
resync_over(const struct resync *rs)
{
	return rs->state == PROTO_RESYNC_DONE ||
	    (rs->state != PROTO_RESYNC_RUNNING && rs->unsynced == 0);
}

static enum job_return
resync_result(struct job *job, struct resync *rs)
{
	struct json	*o = job_data(job);

	json_set_str(o, "serial", job->identity.serial);
	if (!cmd_args_has(&job->args, "wait")) {
		json_set_bool(o, "started", 1);
		json_set_int(o, "unsynced", rs->before);
		return JOB_NORMAL;
	}
	json_set_str(o, "state", proto_enum_key(PROTO_ENUM_RESYNC, rs->state));
	json_set_int(o, "unsynced_before", rs->before);
	json_set_int(o, "unsynced", rs->unsynced);
	json_set_bool(o, "archive_reconciled", rs->reconciled);
	json_set_int(o, "archive_synced", rs->archive_synced);
	if (rs->state == PROTO_RESYNC_FAILED)
		return job_fail(job, EXIT_FAILED, _("resync of %s failed: the back-end "
		    "went away; %u records still unsynced"), job->identity.serial,
		    rs->unsynced);
	if (job_cancelled(job) && !resync_over(rs)) {
		/* Stopped watching, not the upload: say so, not a timeout. */
		json_set_bool(o, "started", 1);
		json_set_bool(o, "interrupted", 1);
		return job_fail(job, EXIT_FAILED, _("interrupted: the resync of %s was "
		    "started and the pile goes on uploading; %u records unsynced when "
		    "last read"), job->identity.serial, rs->unsynced);
	}
	if (rs->state == PROTO_RESYNC_RUNNING && rs->unsynced != 0)
		return job_fail(job, EXIT_FAILED, _("%s: resync still running after "
		    "%lds, %u records unsynced"), job->identity.serial, rs->timeout_s,
		    rs->unsynced);
	return JOB_NORMAL;
}

/* The upload is over: the archive learns what the cloud acknowledged,
 * from a fresh live read (the series by store id, or proven by the pile's
 * copy of the archive's last record on a pile without one). */
static enum job_return
resync_reconcile(struct job *job, struct resync *rs)
{
	struct archive	*ar;
	char		*cause = NULL;
	int		 rc;

	if ((ar = job_archive(job)) == NULL)
		return JOB_ERROR;
	rc = batch_reconcile_live(ar, job->identity.serial, &job->identity, &rs->live,
	    &rs->archive_synced, &cause);
	if (rc < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	if (rc == 1 || ((job->identity.caps & PROTO_CAP_STORE) && rs->live.store_id != 0)) {
		rs->reconciled = rc == 1;
		return resync_result(job, rs);
	}
	if ((rc = batch_reconcile_series(ar, job->identity.serial, &rs->live, &rs->series,
	    &cause)) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	if (rc == 0)
		return resync_result(job, rs);
	pile_records_read_request(job->pile, &job->xfer, rs->series.last_seq);
	job->state = RS_PROOF;
	return job_transact(job);
}

static enum job_return
resync_proof(struct job *job, struct resync *rs)
{
	struct proto_record	 recs[PROTO_REC_WINDOW_RECORDS];
	char			*cause = NULL;
	int			 got, i, rc;

	got = pile_records_read_parse(job->pile, &job->xfer, rs->series.last_seq, recs,
	    &cause);
	if (got == PILE_AGAIN)
		return job_transact(job);
	if (got < 0)
		return job_fail_pile(job, got, cause);
	for (i = 0; i < got && recs[i].seq != rs->series.last_seq; i++)
		;
	if (i == got)
		return resync_result(job, rs);
	rc = batch_reconcile_proven(job_archive(job), job->identity.serial, &rs->series,
	    &rs->live, &recs[i], &rs->archive_synced, &cause);
	if (rc < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	rs->reconciled = rc == 1;
	return resync_result(job, rs);
}

static enum job_return
cmd_resync_step(struct job *job)
{
	struct resync		*rs = job->data;
	struct proto_live	 live;
	const char		*to = cmd_args_get(&job->args, "timeout");
	char			*cause = NULL, *end;
	const uint16_t		 one = 1;
	int			 rc;

	switch (job->state) {
	case RS_CHECK:
		job->data = rs = xcalloc(1, sizeof *rs);
		job->free_data = free;
		rs->timeout_s = RESYNC_WAIT_DEFAULT_S;
		if (to != NULL) {
			errno = 0;
			rs->timeout_s = strtol(to, &end, 10);
			if (*to == '\0' || *end != '\0' || errno != 0 ||
			    rs->timeout_s < 1 || rs->timeout_s > 86400)
				return job_fail(job, EXIT_USAGE, _("bad value '%s' for "
				    "--timeout: expected seconds from 1 to 86400"), to);
		}
		job->state = RS_CONNECTED;
		return job_connect(job);
	case RS_CONNECTED:
		pile_live_request(job->pile, &job->xfer);
		job->state = RS_LIVE;
		return job_transact(job);
	case RS_LIVE:
		if ((rc = pile_live_parse(&job->xfer, &live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		/* Say why before the pile refuses, in words a technician can
		 * act on. */
		if (live.link == PROTO_LINK_FORCED)
			return job_fail(job, EXIT_REFUSED, _("cannot resync: pile %s is "
			    "forced offline until %s; end it first with 'pilecon offline "
			    "off'"), job->identity.serial, batch_format_time(live.forced_until));
		if (!live.backend)
			return job_fail(job, EXIT_REFUSED, _("cannot resync: pile %s has no "
			    "back-end connection (link %s); check its network, then try "
			    "again"), job->identity.serial, proto_link_str(live.link));
		rs->before = rs->unsynced = live.unsynced;
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		/* control.resync, a transaction a turn (the session first). */
		job->state = RS_STARTED;
		return job_write(job, PROTO_A_CTL_RESYNC, 1, &one);
	case RS_STARTED:
		if ((rc = job_write_status(job, NULL, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		rs->state = PROTO_RESYNC_RUNNING;
		/* A cancel stops here, at the write's end: watching is
		 * nothing to finish. */
		if (!cmd_args_has(&job->args, "wait") || job_cancelled(job))
			return resync_result(job, rs);
		rs->deadline_ms = mono_ms() + (uint64_t)rs->timeout_s * 1000;
		job_progress_start(job, _("records"), rs->before);
		job->state = RS_WATCH;
		/* FALLTHROUGH */
	case RS_WATCH:
		pile_live_request(job->pile, &job->xfer);
		job->state = RS_WATCH_LIVE;
		return job_transact(job);
	case RS_WATCH_LIVE:
		if ((rc = pile_live_parse(&job->xfer, &live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		rs->unsynced = live.unsynced;
		job_progress(job, rs->before > rs->unsynced ? rs->before - rs->unsynced : 0, 0);
		job->state = RS_WATCH_STATE;
		return job_read(job, PROTO_A_CTL_RESYNC_STATE, 1);
	case RS_WATCH_STATE:
		if ((rc = job_xfer_status(job, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		rs->state = job->xfer.resp.regs[0];
		if (resync_over(rs)) {
			/* Even after a cancel: the upload is over, what is left
			 * is the archive learning it (a read, then the archive). */
			if (!batch_archive_exists(job->ctx))
				return resync_result(job, rs);
			/* What the pile says now, after its last acknowledgement. */
			pile_live_request(job->pile, &job->xfer);
			job->state = RS_FINAL_LIVE;
			return job_transact(job);
		}
		if (rs->state == PROTO_RESYNC_FAILED || job_cancelled(job))
			return resync_result(job, rs);
		if (mono_ms() >= rs->deadline_ms)
			return resync_result(job, rs);
		job->state = RS_WATCH;
		return job_sleep(job, RESYNC_POLL_MS);
	case RS_FINAL_LIVE:
		if ((rc = pile_live_parse(&job->xfer, &rs->live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		rs->unsynced = rs->live.unsynced;
		return resync_reconcile(job, rs);
	case RS_PROOF:
		return resync_proof(job, rs);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

static void
cmd_resync_render(const struct result *r, FILE *f)
{
	const char	*serial = text_show(json_get_str(r->data, "serial"));
	int64_t		 before, now;

	if (json_get_bool(r->data, "started")) {
		fprintf(f, _("pile %s: resync started, %u records unsynced "
		    "(watch with 'pilecon resync --wait')\n"), serial,
		    (unsigned)json_get_int(r->data, "unsynced", 0));
		return;
	}
	if (r->error.exit != EXIT_OK)
		return;
	before = json_get_int(r->data, "unsynced_before", 0);
	now = json_get_int(r->data, "unsynced", 0);
	fprintf(f, _("pile %s: resync done, %u records uploaded, %u unsynced\n"), serial,
	    (unsigned)(before >= now ? before - now : 0), (unsigned)now);
	if (json_get_int(r->data, "archive_synced", 0) > 0)
		fprintf(f, _("the archive now shows %u more records of %s as synced\n"),
		    (unsigned)json_get_int(r->data, "archive_synced", 0), serial);
}
