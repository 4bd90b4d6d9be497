/* cmd-logs-pull.c - `pilecon logs pull`: copy the pile's charging records
 * into the archive, exactly once, resuming where the last pull stopped.
 * Stored in batches so an interruption keeps everything read before it.
 * A pile whose numbering restarted (a reset store, a replaced controller)
 * starts a new series in the archive: both are kept (archive.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/custody.h"
#include "batch/job.h"
#include "batch/pullsig.h"

/* Records per archive transaction: one fsync per 32 records instead of per
 * record, and at most 16 windows re-read after a crash. */
#define PULL_BATCH	32

static enum job_return	cmd_logs_pull_step(struct job *);
static void		cmd_logs_pull_render(const struct result *, FILE *);

const struct cmd_entry cmd_logs_pull_entry = {
	.name = "logs pull",
	.args = "--json --custody",
	.usage = "[--json] [--custody]",
	.help = N_("copy the pile's new charging records into the archive (resumes, stores each once); --custody then hands them into custody so a full pile may reuse their space"),
	.step = cmd_logs_pull_step,
	.render = cmd_logs_pull_render,
	.flags = CMD_PILE,
};

enum { PULL_START, PULL_LIVE, PULL_KEY, PULL_CHECK, PULL_TARIFF, PULL_RECHECK, PULL_WINDOW,
	PULL_CUSTODY_LIVE, PULL_CUSTODY_AUTH, PULL_CUSTODY_WRITE, PULL_CUSTODY_RESULT };

/* Why a pull started a new series (the JSON tokens). */
enum pull_new {
	PULL_SAME,
	PULL_NEW_FIRST,		/* the archive held nothing of this pile */
	PULL_NEW_STORE_ID,	/* the pile shows another store id */
	PULL_NEW_RESTARTED,	/* its numbering is below what the archive holds */
	PULL_NEW_DIFFERS,	/* its record at the archive's last seq is another */
	PULL_NEW_UNPROVEN	/* a first store id, and the archive's last record
				   no longer on the pile to prove it the same */
};

struct pull {
	struct archive		*ar;
	const char		*serial, *device_id;
	struct proto_record	 buf[PULL_BATCH + PROTO_REC_WINDOW_RECORDS];
	uint8_t			 sigs[PULL_BATCH + PROTO_REC_WINDOW_RECORDS][PROTO_SIG_BYTES];
	int			 nbuf;
	struct pullsig		 ps;
	int			 signs;		/* a 1.1 pile with signed records */
	int			 unsigned_pinned;	/* it does not sign, yet a key
						   is pinned for it */
	uint32_t		 seq, last_seq, done;
	uint32_t		 stored_new, stored_old, first, last;

	struct proto_live	 live;
	int			 has_store_id;	/* the pile publishes live.store_id */
	struct archive_series	 prev;		/* the archive's latest series */
	uint32_t		 store_id;	/* the series this pull stores into */
	enum pull_new		 why;		/* it is new, and why */
	int			 adopt;		/* PULL_CHECK: same store → adopt */
	uint32_t		 last_held;	/* the series' last seq archived */

	/* Records the quarantine holds, read again (PULL_RECHECK) */
	uint32_t		 rq_seq;	/* the one being read */
	uint32_t		 recovered;	/* verified now, archived */
	uint32_t		 first_recovered;

	/* --custody: the range handed over, and its digest */
	struct custody_done	 cd;
	uint8_t			 cd_sha[PROTO_SHA256_BYTES];
	int			 cd_rc;		/* the refused write's, and */
	char			*cd_err;	/* its cause */
};

static void
pull_free(void *arg)
{
	struct pull	*p = arg;

	pullsig_end(&p->ps);
	free(p->cd_err);
	free(p);
}

static int
pull_flush(struct pull *p, char **cause)
{
	int	n;

	if (p->nbuf == 0)
		return 0;
	n = archive_put_signed(p->ar, p->serial, p->store_id, p->device_id, p->buf,
	    p->signs ? (const uint8_t (*)[PROTO_SIG_BYTES])p->sigs : NULL,
	    p->signs ? p->ps.pinned : NULL, p->nbuf, cause);
	if (n < 0)
		return -1;
	p->stored_new += (uint32_t)n;
	p->stored_old += (uint32_t)(p->nbuf - n);
	if (p->first == 0)
		p->first = p->buf[0].seq;
	p->last = p->buf[p->nbuf - 1].seq;
	p->nbuf = 0;
	return 0;
}

/* The summary, whatever stopped the pull: stopped names why ("archive",
 * "pile", "interrupted") when it did not finish. */
static void
pull_result(struct job *job, struct pull *p, const char *stopped)
{
	struct json	*o = job_data(job);

	json_set_str(o, "serial", p->serial);
	json_set_int(o, "pulled", p->stored_new + p->stored_old);
	json_set_int(o, "new", p->stored_new);
	json_set_int(o, "already_archived", p->stored_old);
	json_set_int(o, "first_seq", p->first);
	json_set_int(o, "last_seq", p->last);
	json_set_bool(o, "complete", stopped == NULL);
	json_set_bool(o, "signed", p->signs);
	json_set_int(o, "store_id", p->store_id);
	json_set_int(o, "verified", p->ps.verified);
	json_set_int(o, "quarantined", p->ps.quarantined);
	json_set_int(o, "recovered", p->recovered);
	json_set_int(o, "still_quarantined", p->ps.still_bad);
	json_set_str(o, "key", p->unsigned_pinned ? "missing" : !p->signs ? "none" :
	    p->ps.state == ARCHIVE_KEY_CHANGED ?
	    "changed" : p->ps.state == ARCHIVE_KEY_PINNED_NOW ? "pinned" : "same");
	if (stopped != NULL)
		json_set_str(o, "stopped", stopped);
}

/*
 * What the cloud acknowledged, from the pile's live block: a pile uploads
 * oldest first and moves its synced mark only on an acknowledgement, so
 * every record up to last_seq - unsynced is synced.
 */
static int
pull_reconcile(struct pull *p, const struct proto_live *live, char **cause)
{
	if (live->last_seq >= live->unsynced &&
	    archive_reconcile_synced(p->ar, p->serial, p->store_id,
	    live->last_seq - live->unsynced,
	    NULL, cause) != 0)
		return -1;
	return 0;
}

/*
 * --custody, after a whole and verified pull: the archived records the
 * pile holds go into custody, a transaction a turn: the live block (where
 * the custody mark is), the write session, the custody write (one change:
 * once begun it is finished), custody.result when the pile refused. A
 * cancel before the write hands nothing over; what was pulled stays
 * archived.
 */
static enum job_return
pull_custody_interrupted(struct job *job)
{
	return job_fail(job, EXIT_FAILED, _("interrupted: nothing was handed into "
	    "custody (the records pulled are archived)"));
}

static enum job_return
pull_custody(struct job *job, struct pull *p)
{
	char	*cause = NULL;
	int	 rc;

	if ((rc = custody_check(job->pile, p->serial, &cause)) != 0)
		return job_fail_pile(job, rc, cause);
	if (job_cancelled(job))
		return pull_custody_interrupted(job);
	pile_live_request(job->pile, &job->xfer);
	job->state = PULL_CUSTODY_LIVE;
	return job_transact(job);
}

static enum job_return
pull_custody_done(struct job *job, struct pull *p)
{
	struct json	*c;

	c = json_set(job_data(job), "custody", json_object());
	json_set_int(c, "first_seq", p->cd.first);
	json_set_int(c, "last_seq", p->cd.last);
	json_set_int(c, "count", p->cd.count);
	return JOB_NORMAL;
}

static enum job_return
pull_custody_step(struct job *job, struct pull *p)
{
	struct proto_live	 live;
	uint16_t		 regs[PILE_CUSTODY_REGS];
	uint8_t			 ex = 0;
	char			*cause = NULL;
	int			 rc, n;

	switch (job->state) {
	case PULL_CUSTODY_LIVE:
		if ((rc = pile_live_parse(&job->xfer, &live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		if ((rc = custody_range(p->ar, p->serial, p->store_id, &live, &p->cd,
		    p->cd_sha, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		if (p->cd.count == 0)
			return pull_custody_done(job, p);
		if (job_cancelled(job))
			return pull_custody_interrupted(job);
		job->state = PULL_CUSTODY_AUTH;
		return job_auth(job);
	case PULL_CUSTODY_AUTH:
		if ((rc = job_write_status(job, NULL, &cause)) != 0) {
			memset(&p->cd, 0, sizeof p->cd);
			return job_fail_pile(job, rc, cause);
		}
		if (job_cancelled(job))
			return pull_custody_interrupted(job);
		n = pile_custody_encode(p->cd.first, p->cd.last, p->cd_sha, regs);
		job->state = PULL_CUSTODY_WRITE;
		return job_write(job, PROTO_A_CUSTODY_FIRST, (uint16_t)n, regs);
	case PULL_CUSTODY_WRITE:
		/* Begun, so finished: the pile's answer, whatever the cancel. */
		rc = job_write_status(job, &ex, &cause);
		if (pile_custody_check(rc, ex)) {
			p->cd_rc = rc;		/* kept for the outcome */
			p->cd_err = cause;
			pile_custody_result_request(job->pile, &job->xfer);
			job->state = PULL_CUSTODY_RESULT;
			return job_transact(job);
		}
		if ((rc = pile_custody_outcome(job->pile, p->cd.first, p->cd.last, rc,
		    cause, NULL, NULL, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		return pull_custody_done(job, p);
	case PULL_CUSTODY_RESULT:
		rc = pile_custody_outcome(job->pile, p->cd.first, p->cd.last,
		    p->cd_rc, p->cd_err, &job->xfer, NULL, &cause);
		p->cd_err = NULL;
		return job_fail_pile(job, rc, cause);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

/* Keeps what was read, whatever stopped us, and ends the job. */
static enum job_return
pull_end(struct job *job, struct pull *p, int rc, char *cause)
{
	char	*cause2 = NULL;

	if (pull_flush(p, &cause2) != 0) {
		pull_result(job, p, "archive");
		free(cause);
		return job_fail_cause(job, EXIT_FAILED, cause2);
	}
	if (rc != 0) {
		pull_result(job, p, "pile");
		if (rc == PULLSIG_E_ARCHIVE)
			return job_fail_cause(job, EXIT_FAILED, cause);
		return job_fail_pile(job, rc, cause);
	}
	if (job_cancelled(job)) {
		pull_result(job, p, "interrupted");
		if (cmd_args_has(&job->args, "custody"))
			return pull_custody_interrupted(job);
		return job_fail(job, EXIT_FAILED, "%s", _("interrupted"));
	}
	/* Records pulled just now carry the pile's synced flag already. */
	pull_result(job, p, NULL);
	if (p->ps.still_bad > 0)
		job_event(job, RESULT_WARN, _("warning: %u quarantined records of %s fail "
		    "their signature check again (first: seq %u): they stay in the "
		    "quarantine, and custody stops before the first"), p->ps.still_bad,
		    p->serial, p->ps.first_still_bad);
	if (p->ps.quarantined > 0)
		return job_fail(job, EXIT_FAILED, _("error: %u records of %s failed their "
		    "signature check (first: seq %u) and are quarantined, not archived: "
		    "see 'pilecon logs list --quarantine'"), p->ps.quarantined, p->serial,
		    p->ps.first_bad);
	/* Nothing new to quarantine, but the pile is not the one pinned. */
	if ((p->signs && p->ps.state == ARCHIVE_KEY_CHANGED) || p->unsigned_pinned)
		return job_fail(job, EXIT_FAILED, _("error: the public key of %s is not the "
		    "one pinned in the archive"), p->serial);
	if (cmd_args_has(&job->args, "custody"))
		return pull_custody(job, p);
	return JOB_NORMAL;
}

/* The next window's read, on the event loop: a signed one (one record and
 * its signature) or a plain one (two records). */
static enum job_return
pull_request(struct job *job, struct pull *p)
{
	if (p->signs)
		pile_signed_read_request(job->pile, &job->xfer, p->seq);
	else
		pile_records_read_request(job->pile, &job->xfer, p->seq);
	return job_transact(job);
}

/* One window read, signed or plain. Returns the next state's answer. */
static enum job_return
pull_window(struct job *job, struct pull *p)
{
	char		*cause = NULL;
	uint32_t	 next = 0;
	int		 got, i;

	if (p->signs) {
		got = pile_signed_read_parse(job->pile, &job->xfer, p->seq,
		    p->buf + p->nbuf, p->sigs[p->nbuf], &cause);
		if (got == PILE_AGAIN)
			return job_transact(job);
		got = pullsig_check(&p->ps, got, p->buf + p->nbuf, p->sigs[p->nbuf],
		    &next, &cause);
		if (got < 0)
			return pull_end(job, p, got, cause);
		if (next == 0)
			return pull_end(job, p, 0, NULL);
		if (got == 0) {		/* quarantined */
			p->seq = next;
			p->done++;
			goto next;
		}
	} else {
		got = pile_records_read_parse(job->pile, &job->xfer, p->seq,
		    p->buf + p->nbuf, &cause);
		if (got == PILE_AGAIN)
			return job_transact(job);
		if (got < 0)
			return pull_end(job, p, got, cause);
		if (got == 0)	/* nothing at or after seq: the pile has no more */
			return pull_end(job, p, 0, NULL);
	}
	for (i = 0; i < got; i++)
		if (p->buf[p->nbuf + i].seq < p->seq)
			return pull_end(job, p, set_cause(&cause, PILE_E_PROTOCOL,
			    _("the pile answered record %u when asked for %u or later"),
			    p->buf[p->nbuf + i].seq, p->seq), cause);
	if (p->unsigned_pinned) {
		/* Records with no signature from a pile that had a key. */
		for (i = 0; i < got; i++) {
			if (archive_quarantine(p->ar, p->serial, p->store_id, p->device_id,
			    &p->buf[p->nbuf + i], NULL, NULL, "unsigned", &cause) != 0)
				return pull_end(job, p, PULLSIG_E_ARCHIVE, cause);
			if (p->ps.quarantined++ == 0)
				p->ps.first_bad = p->buf[p->nbuf + i].seq;
		}
		p->seq = p->buf[p->nbuf + got - 1].seq + 1;
		p->done += (uint32_t)got;
		goto next;
	}
	p->seq = p->buf[p->nbuf + got - 1].seq + 1;
	p->nbuf += got;
	p->done += (uint32_t)got;
	if (p->nbuf >= PULL_BATCH && pull_flush(p, &cause) != 0) {
		pull_result(job, p, "archive");
		return job_fail_cause(job, EXIT_FAILED, cause);
	}
next:
	job_progress(job, p->done, (uint64_t)p->done * (PROTO_RECORD_BYTES +
	    (p->signs ? PROTO_SIG_BYTES : 0)));
	/* A cancel stops between windows: what was read is stored. */
	if (p->seq > p->last_seq || job_cancelled(job))
		return pull_end(job, p, 0, NULL);
	return pull_request(job, p);
}

/* Starts on the chosen series: the cloud's view first (what it
 * acknowledged is synced here too), then the pile's tariff, kept by
 * version so exports carry each record's prices. */
static enum job_return
pull_begin(struct job *job, struct pull *p, const struct archive_series *s)
{
	char	*cause = NULL;

	p->store_id = s->store_id;
	p->ps.store_id = s->store_id;
	p->last_held = s->last_seq;
	if (pull_reconcile(p, &p->live, &cause) != 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	pile_tariff_request(job->pile, &job->xfer);
	job->state = PULL_TARIFF;
	return job_transact(job);
}

/* The new records' windows, after last_held. */
static enum job_return
pull_windows(struct job *job, struct pull *p)
{
	const struct proto_live	*live = &p->live;
	uint32_t		 last_held = p->last_held;

	if (job_cancelled(job) || live->last_seq == 0 || last_held >= live->last_seq)
		return pull_end(job, p, 0, NULL);
	p->seq = last_held + 1;
	p->last_seq = live->last_seq;
	if (p->seq < live->first_seq) {
		/* The pile dropped records (full store) before we pulled them. */
		job_event(job, RESULT_WARN, _("warning: records %u..%u of %s are no "
		    "longer on the pile (it holds %u..%u); pulling from %u"), p->seq,
		    live->first_seq - 1, p->serial, live->first_seq, live->last_seq,
		    live->first_seq);
		p->seq = live->first_seq;
	}
	job_progress_start(job, _("records"), live->last_seq - p->seq + 1);
	job->state = PULL_WINDOW;
	return pull_request(job, p);
}

/*
 * Records the quarantine holds for this series and the pile still holds
 * are read again, one at a time, before the new ones: a record that
 * verifies now (the pile serves it whole again, or its key was replaced
 * with --replace-keys) is archived, so custody, a contiguous range, can
 * move past it; its quarantine entry stays, the evidence of what failed.
 * One that fails again stays in the quarantine as it is. Not while every
 * record would be quarantined anyway (another key, or no signature where
 * a key is pinned).
 */
static enum job_return
pull_recheck_next(struct job *job, struct pull *p, uint32_t after)
{
	const struct proto_live	*live = &p->live;
	uint32_t		 through = p->last_held, seq;
	char			*cause = NULL;
	int			 rc;

	if (p->unsigned_pinned || (p->signs && p->ps.state == ARCHIVE_KEY_CHANGED) ||
	    live->last_seq == 0 || job_cancelled(job))
		return pull_windows(job, p);
	if (through > live->last_seq)
		through = live->last_seq;
	if (after + 1 < live->first_seq)
		after = live->first_seq - 1;
	if ((rc = archive_quarantine_next(p->ar, p->serial, p->store_id, after, through,
	    &seq, &cause)) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	if (rc == 0)
		return pull_windows(job, p);
	p->rq_seq = seq;
	if (p->signs)
		pile_signed_read_request(job->pile, &job->xfer, seq);
	else
		pile_records_read_request(job->pile, &job->xfer, seq);
	job->state = PULL_RECHECK;
	return job_transact(job);
}

static enum job_return
pull_rechecked(struct job *job, struct pull *p)
{
	struct proto_record	 recs[PROTO_REC_WINDOW_RECORDS];
	uint8_t			 sig[PROTO_SIG_BYTES];
	uint32_t		 seq = p->rq_seq, next = 0;
	char			*cause = NULL;
	int			 got;

	if (p->signs) {
		got = pile_signed_read_parse(job->pile, &job->xfer, seq, recs, sig, &cause);
		if (got == PILE_AGAIN)
			return job_transact(job);
		if (got > 0 && recs[0].seq != seq)	/* no longer on the pile */
			return pull_recheck_next(job, p, seq);
		p->ps.recheck = 1;
		got = pullsig_check(&p->ps, got, recs, sig, &next, &cause);
		p->ps.recheck = 0;
	} else {
		got = pile_records_read_parse(job->pile, &job->xfer, seq, recs, &cause);
		if (got == PILE_AGAIN)
			return job_transact(job);
		if (got > 0 && recs[0].seq != seq)
			return pull_recheck_next(job, p, seq);
		got = got > 0 ? 1 : got;
	}
	if (got < 0)
		return pull_end(job, p, got, cause);
	if (got == 1) {
		if (archive_put_signed(p->ar, p->serial, p->store_id, p->device_id, recs,
		    p->signs ? (const uint8_t (*)[PROTO_SIG_BYTES])sig : NULL,
		    p->signs ? p->ps.pinned : NULL, 1, &cause) < 0)
			return pull_end(job, p, PULLSIG_E_ARCHIVE, cause);
		if (p->recovered++ == 0)
			p->first_recovered = seq;
	}
	return pull_recheck_next(job, p, seq);
}

/* The tariff read (a pile that cannot show it is pulled all the same);
 * then the quarantine's records again, then the new ones. */
static enum job_return
pull_tariffed(struct job *job, struct pull *p)
{
	const struct proto_live	*live = &p->live;
	struct proto_tariff	 t;
	char			*cause = NULL;
	uint32_t		 last_held = p->last_held;

	if (pile_tariff_parse(job->pile, &job->xfer, &t, &cause) == 0) {
		if (archive_put_tariff(p->ar, &t, &cause) != 0)
			return job_fail_cause(job, EXIT_FAILED, cause);
	}
	free(cause);
	cause = NULL;
	/* The same store holding fewer records than we pulled from it: a
	 * store does not renumber without a new store id, so say so. */
	if (live->last_seq != 0 && live->last_seq < last_held)
		return job_fail(job, EXIT_FAILED, _("%s holds seq %u..%u under store id "
		    "%u, but the archive already holds seq up to %u from that store: its "
		    "records were not pulled; keep them on the pile and do not resync it "
		    "until they are archived"), p->serial, live->first_seq, live->last_seq,
		    p->store_id, last_held);
	return pull_recheck_next(job, p, 0);
}

static const char *
pull_new_token(enum pull_new why)
{
	switch (why) {
	case PULL_SAME:
		break;
	case PULL_NEW_FIRST:
		return "first";
	case PULL_NEW_STORE_ID:
		return "store_id_changed";
	case PULL_NEW_RESTARTED:
		return "numbering_restarted";
	case PULL_NEW_DIFFERS:
		return "record_differs";
	case PULL_NEW_UNPROVEN:
		return "store_id_unproven";
	}
	return NULL;
}

/* Says once what happened to the pile's numbering: a warning for people,
 * "new_series" in the JSON result. */
static void
pull_say_new(struct job *job, struct pull *p)
{
	const struct proto_live	*l = &p->live;
	struct json		*o;

	if (p->why == PULL_SAME || p->why == PULL_NEW_FIRST)
		return;
	o = json_set(job_data(job), "new_series", json_object());
	json_set_str(o, "reason", pull_new_token(p->why));
	json_set_int(o, "store_id", p->store_id);
	json_set_int(o, "first_seq", l->first_seq);
	json_set_int(o, "last_seq", l->last_seq);
	json_set_int(o, "previous_store_id", p->prev.store_id);
	json_set_int(o, "previous_last_seq", p->prev.last_seq);
	switch (p->why) {
	case PULL_SAME:
	case PULL_NEW_FIRST:
		break;
	case PULL_NEW_STORE_ID:
		job_event(job, RESULT_WARN, _("warning: %s has a new record store (store id "
		    "%u, the archive's last was %u: a reset store or a replaced controller); "
		    "the archive keeps both series: the previous one (seq up to %u) as it "
		    "is, and the new one (seq %u..%u) pulled from its start"), p->serial,
		    p->store_id, p->prev.store_id, p->prev.last_seq, l->first_seq,
		    l->last_seq);
		break;
	case PULL_NEW_RESTARTED:
		job_event(job, RESULT_WARN, _("warning: %s restarted its record numbering: it "
		    "holds seq %u..%u, but the archive already holds seq up to %u from it (a "
		    "reset store or a replaced controller); the archive keeps both series: "
		    "the previous one (store id %u) as it is, and the new one (store id %u) "
		    "pulled from its start"), p->serial, l->first_seq, l->last_seq,
		    p->prev.last_seq, p->prev.store_id, p->store_id);
		break;
	case PULL_NEW_DIFFERS:
		job_event(job, RESULT_WARN, _("warning: %s restarted its record numbering: its "
		    "record %u is not the one the archive holds (a reset store or a replaced "
		    "controller); the archive keeps both series: the previous one (store id "
		    "%u, seq up to %u) as it is, and the new one (store id %u, seq %u..%u) "
		    "pulled from its start"), p->serial, p->prev.last_seq, p->prev.store_id,
		    p->prev.last_seq, p->store_id, l->first_seq, l->last_seq);
		break;
	case PULL_NEW_UNPROVEN:
		job_event(job, RESULT_WARN, _("warning: %s shows its store id (%u) for the "
		    "first time and no longer holds record %u, the archive's last, to prove "
		    "it is the same store; the archive keeps both series: the previous one "
		    "(store id %u) as it is, and the pile's (seq %u..%u) pulled from its "
		    "start"), p->serial, p->store_id, p->prev.last_seq, p->prev.store_id,
		    l->first_seq, l->last_seq);
		break;
	}
}

static enum job_return
pull_open(struct job *job, struct pull *p, enum pull_new why)
{
	struct archive_series	 s;
	char			*cause = NULL;

	p->why = why;
	if (archive_series_open(p->ar, p->serial, p->has_store_id, p->live.store_id, &s,
	    &cause) != 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	p->store_id = s.store_id;
	pull_say_new(job, p);
	return pull_begin(job, p, &s);
}

/* The pile holds the archive's latest series: go on with it, giving it the
 * pile's store id when it had none. */
static enum job_return
pull_same(struct job *job, struct pull *p)
{
	char	*cause = NULL;

	if (p->adopt) {
		if (archive_series_adopt(p->ar, p->serial, p->prev.store_id,
		    p->live.store_id, &cause) != 0)
			return job_fail_cause(job, EXIT_FAILED, cause);
		p->prev.store_id = p->live.store_id;
		p->prev.source = ARCHIVE_SERIES_PILE;
	}
	return pull_begin(job, p, &p->prev);
}

/*
 * Is the pile's store the archive's latest series? Asked when the pile
 * cannot say by its store id (a 1.0 pile, or a series the archive holds
 * without one). Its numbering below ours: no. Else its record at our last
 * seq must be ours byte for byte (synced flag aside). adopt: a yes gives
 * the series the pile's store id.
 */
static enum job_return
pull_check(struct job *job, struct pull *p, int adopt)
{
	const struct proto_live	*l = &p->live;
	uint32_t		 held = p->prev.last_seq;

	p->adopt = adopt;
	if (held == 0 || l->last_seq == 0)
		return pull_same(job, p);
	if (l->last_seq < held)
		return pull_open(job, p, PULL_NEW_RESTARTED);
	/* Our last record is gone from the pile: nothing to compare. A pile
	 * without a store id cannot tell us more (pilecon(1), ARCHIVE). */
	if (held < l->first_seq)
		return adopt ? pull_open(job, p, PULL_NEW_UNPROVEN) : pull_same(job, p);
	pile_records_read_request(job->pile, &job->xfer, held);
	job->state = PULL_CHECK;
	return job_transact(job);
}

static enum job_return
pull_checked(struct job *job, struct pull *p)
{
	struct proto_record	 copy;
	uint8_t			 ours[PROTO_RECORD_BYTES], theirs[PROTO_RECORD_BYTES];
	uint32_t		 held = p->prev.last_seq;
	char			*cause = NULL;
	int			 got, i, rc;

	got = pile_records_read_parse(job->pile, &job->xfer, held, p->buf, &cause);
	if (got == PILE_AGAIN)
		return job_transact(job);
	if (got < 0)
		return job_fail_pile(job, got, cause);
	for (i = 0; i < got && p->buf[i].seq != held; i++)
		;
	if (i == got)		/* the pile skipped it: gone, as above */
		return p->adopt ? pull_open(job, p, PULL_NEW_UNPROVEN) : pull_same(job, p);
	if ((rc = archive_record_wire(p->ar, p->serial, p->prev.store_id, held, ours,
	    &cause)) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	copy = p->buf[i];
	proto_record_encode(&copy, theirs);
	ours[5] &= ~PROTO_REC_F_SYNCED;
	theirs[5] &= ~PROTO_REC_F_SYNCED;
	if (rc == 1 && memcmp(ours, theirs, sizeof ours) == 0)
		return pull_same(job, p);
	return pull_open(job, p, PULL_NEW_DIFFERS);
}

/* Which series of the archive the pile's records belong to (archive.h). */
static enum job_return
pull_series(struct job *job, struct pull *p)
{
	const struct proto_live	*l = &p->live;
	struct archive_series	 s;
	char			*cause = NULL;
	int			 rc;

	p->has_store_id = (pile_caps(job->pile) & PROTO_CAP_STORE) && l->store_id != 0;
	if ((rc = archive_series_latest(p->ar, p->serial, &p->prev, &cause)) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	if (rc == 0)
		return pull_open(job, p, PULL_NEW_FIRST);
	if (!p->has_store_id)
		return pull_check(job, p, 0);
	if (p->prev.store_id == l->store_id)
		return pull_begin(job, p, &p->prev);
	if ((rc = archive_series_get(p->ar, p->serial, l->store_id, &s, &cause)) < 0)
		return job_fail_cause(job, EXIT_FAILED, cause);
	if (rc == 1) {
		/* An earlier store again (a controller put back). */
		job_event(job, RESULT_WARN, _("warning: %s is back on an earlier record store "
		    "(store id %u, seq up to %u in the archive); pulling that series"),
		    p->serial, s.store_id, s.last_seq);
		return pull_begin(job, p, &s);
	}
	if (p->prev.source == ARCHIVE_SERIES_PILE)
		return pull_open(job, p, PULL_NEW_STORE_ID);
	return pull_check(job, p, 1);
}

/* A pile that does not sign (or says it is 1.0) while the archive has a key
 * pinned for its serial is not the pile that key belongs to, or one made to
 * look older: its records are quarantined as unsigned. 0, or -1 when the
 * job failed. */
static int
pull_pinned_unsigned(struct job *job, struct pull *p)
{
	uint8_t	 pinned[PROTO_PUBKEY_BYTES];
	char	*cause = NULL;
	int	 rc;

	if ((rc = archive_key_get(p->ar, p->serial, pinned, NULL, &cause)) < 0) {
		job_fail_cause(job, EXIT_FAILED, cause);
		return -1;
	}
	if (rc == 0)
		return 0;
	p->unsigned_pinned = 1;
	job_event(job, RESULT_ERROR, _("error: the archive has a public key pinned for "
	    "%s, but the pile does not sign its records: its records are quarantined, "
	    "not archived"), p->serial);
	return 0;
}

static enum job_return
cmd_logs_pull_step(struct job *job)
{
	struct pull		*p = job->data;
	uint8_t			 shown[PROTO_PUBKEY_BYTES];
	char			*cause = NULL;
	int			 rc;

	switch (job->state) {
	case PULL_START:
		job->data = p = xcalloc(1, sizeof *p);
		job->free_data = pull_free;
		p->serial = job->identity.serial;
		p->device_id = job->identity.device_id;
		if ((p->ar = job_archive(job)) == NULL)
			return JOB_ERROR;
		pile_live_request(job->pile, &job->xfer);
		job->state = PULL_LIVE;
		return job_transact(job);
	case PULL_LIVE:
		if ((rc = pile_live_parse(&job->xfer, &p->live, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		p->signs = pile_signs(&job->identity);
		if (!p->signs) {
			if (pull_pinned_unsigned(job, p) != 0)
				return JOB_ERROR;
			return pull_series(job, p);
		}
		pile_public_key_request(job->pile, &job->xfer);
		job->state = PULL_KEY;
		return job_transact(job);
	case PULL_KEY:
		if ((rc = pile_public_key_parse(&job->xfer, shown, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		if ((rc = pullsig_start(&p->ps, p->ar, p->serial, p->device_id, shown,
		    &cause)) != 0) {
			if (rc == PULLSIG_E_ARCHIVE)
				return job_fail_cause(job, EXIT_FAILED, cause);
			return job_fail_pile(job, rc, cause);
		}
		if (p->signs && p->ps.state == ARCHIVE_KEY_CHANGED)
			job_event(job, RESULT_ERROR, _("error: the public key of %s is not "
			    "the one pinned in the archive: its records are quarantined, not "
			    "archived (if the pile's key was really replaced, give the new one "
			    "as 'public_key:' in a provisioning file and run it with "
			    "--replace-keys)"), p->serial);
		return pull_series(job, p);
	case PULL_CHECK:
		return pull_checked(job, p);
	case PULL_TARIFF:
		return pull_tariffed(job, p);
	case PULL_RECHECK:
		return pull_rechecked(job, p);
	case PULL_WINDOW:
		return pull_window(job, p);
	case PULL_CUSTODY_LIVE:
	case PULL_CUSTODY_AUTH:
	case PULL_CUSTODY_WRITE:
	case PULL_CUSTODY_RESULT:
		return pull_custody_step(job, p);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

static void
cmd_logs_pull_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data, *c;
	const char		*stopped = json_get_str(o, "stopped"), *how = "";
	const char		*serial = text_show(json_get_str(o, "serial"));
	const char		*key = json_get_str(o, "key");
	unsigned		 total = (unsigned)json_get_int(o, "pulled", 0);
	unsigned		 verified = (unsigned)json_get_int(o, "verified", 0);

	if (stopped == NULL)
		how = "";
	else if (strcmp(stopped, "archive") == 0)
		how = _(" before the archive failed");
	else if (strcmp(stopped, "pile") == 0)
		how = _(" before the pile stopped answering; run it again to resume");
	else
		how = _(", interrupted; run it again to resume");
	if (!json_get_bool(o, "signed"))
		fprintf(f, _("%s is a protocol 1.0 pile: its records are not signed\n"), serial);
	else if (key != NULL && strcmp(key, "pinned") == 0)
		fprintf(f, _("pinned the public key of %s (first pull: trust on first use)\n"),
		    serial);
	if (json_get_bool(o, "signed") && verified > 0)
		fprintf(f, _("verified %u signatures of %s\n"), verified, serial);
	if (json_get_int(o, "recovered", 0) > 0)
		fprintf(f, _("%u quarantined records of %s verify now and are archived "
		    "(read again from the pile; their quarantine entries are kept)\n"),
		    (unsigned)json_get_int(o, "recovered", 0), serial);
	/* One outcome: "up to date" only when the pull went to the end. */
	/* Not "up to date" when records went to the quarantine instead. */
	if (total == 0 && stopped == NULL && json_get_int(o, "quarantined", 0) == 0)
		fprintf(f, _("pulled 0 records from %s: the archive is up to date\n"), serial);
	else if (total == 0)
		fprintf(f, _("pulled 0 records from %s%s\n"), serial, how);
	else
		fprintf(f, _("pulled %u records from %s (seq %u..%u), %u already "
		    "archived%s\n"), total, serial, (unsigned)json_get_int(o, "first_seq", 0),
		    (unsigned)json_get_int(o, "last_seq", 0),
		    (unsigned)json_get_int(o, "already_archived", 0), how);
	if ((c = json_get(o, "custody")) == NULL)
		return;
	if (json_get_int(c, "count", 0) == 0)
		fprintf(f, _("no records of %s to hand into custody: every record "
		    "it holds is in custody already\n"), serial);
	else
		fprintf(f, _("handed records %u..%u of %s into custody (%u records): "
		    "the pile may now reuse their space when it is full\n"),
		    (unsigned)json_get_int(c, "first_seq", 0),
		    (unsigned)json_get_int(c, "last_seq", 0), serial,
		    (unsigned)json_get_int(c, "count", 0));
}
