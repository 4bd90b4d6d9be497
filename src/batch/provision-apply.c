/* provision-apply.c - applying one pile's plan, section by section in the
 * file's order of effect (clock, offline_auth, offline_tariff, whitelist,
 * force_offline, custody), each write read back, a transaction a turn; and
 * ending the write sessions of the run. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/provision.h"

/*
 * A section's step returns JOB_WAIT while it waits for a transaction,
 * JOB_NORMAL when the section is done (applied, or nothing to do), and
 * JOB_ERROR when the pile stops there: failed (the item says why) or
 * interrupted. it->astep is where the section is, 0 at its start.
 */
typedef enum job_return prov_section_fn(struct job *, struct prov_item *);

/* Section sec failed: the item with it (cause taken). */
static enum job_return
prov_sec_failed(struct prov_item *it, enum prov_sec sec, int rc, char *cause)
{
	it->sec[sec] = PROV_SEC_FAILED;
	prov_fail(it, rc, xasprintf("%s: %s", _(prov_sec_name(sec)), cause));
	free(cause);
	return JOB_ERROR;
}

/* A cancel, seen at a transaction boundary: the pile stops here; sec[]
 * says what was applied. */
static enum job_return
prov_interrupted(struct prov_item *it)
{
	it->interrupted = 1;
	it->ok = 0;
	return JOB_ERROR;
}

/* The write of sec finished: 0 when it went through (counted), or
 * JOB_ERROR's failure. Once written, a cancel stops before the read back. */
static int
prov_written(struct job *job, struct prov_item *it, enum prov_sec sec)
{
	char	*cause = NULL;
	int	 rc;

	if ((rc = job_write_status(job, NULL, &cause)) != 0) {
		prov_sec_failed(it, sec, rc, cause);
		return -1;
	}
	it->writes++;
	it->sec[sec] = PROV_SEC_WRITTEN;
	if (job_cancelled(job)) {
		prov_interrupted(it);
		return -1;
	}
	return 0;
}

static enum job_return
prov_apply_clock(struct job *job, struct prov_item *it)
{
	struct proto_live	 l;
	uint16_t		 v[2];
	char			*cause = NULL;
	int64_t			 d;
	int			 rc;

	switch (it->astep++) {
	case 0:
		if (!it->clock_change)
			return JOB_NORMAL;
		if (job_cancelled(job))
			return prov_interrupted(it);
		proto_put_u32(v, (uint32_t)time(NULL));
		return job_write(job, PROTO_A_CTL_CLOCK, 2, v);
	case 1:
		if (prov_written(job, it, PROV_SEC_CLOCK) != 0)
			return JOB_ERROR;
		pile_live_request(it->pile, &job->xfer);
		return job_transact(job);
	default:
		if ((rc = pile_live_parse(&job->xfer, &l, &cause)) != 0)
			return prov_sec_failed(it, PROV_SEC_CLOCK, rc, cause);
		d = (int64_t)l.clock - (int64_t)time(NULL);
		if (d > PROV_CLOCK_SLACK_S || d < -PROV_CLOCK_SLACK_S)
			return prov_sec_failed(it, PROV_SEC_CLOCK, PILE_E_PROTOCOL,
			    xasprintf(_("the clock reads back %+lld s off after it was "
			    "set"), (long long)d));
		it->sec[PROV_SEC_CLOCK] = PROV_SEC_APPLIED;
		return JOB_NORMAL;
	}
}

static enum job_return
prov_apply_settings(struct job *job, struct prov_item *it)
{
	struct pile_settings	 s;
	uint16_t		 regs[PILE_SETTINGS_REGS];
	char			*cause = NULL;
	int			 rc;

	switch (it->astep++) {
	case 0:
		if (!it->set_change)
			return JOB_NORMAL;
		if (job_cancelled(job))
			return prov_interrupted(it);
		pile_settings_encode(&it->set_after, regs);
		return job_write(job, PILE_SETTINGS_ADDR, PILE_SETTINGS_REGS, regs);
	case 1:
		if (prov_written(job, it, PROV_SEC_AUTH) != 0)
			return JOB_ERROR;
		pile_settings_request(it->pile, &job->xfer);
		return job_transact(job);
	default:
		if ((rc = pile_settings_parse(&job->xfer, &s, &cause)) != 0)
			return prov_sec_failed(it, PROV_SEC_AUTH, rc, cause);
		if (!prov_same_settings(&s, &it->set_after))
			return prov_sec_failed(it, PROV_SEC_AUTH, PILE_E_PROTOCOL,
			    xstrdup(_("the settings read back differ from what was "
			    "written")));
		it->sec[PROV_SEC_AUTH] = PROV_SEC_APPLIED;
		return JOB_NORMAL;
	}
}

static enum job_return
prov_apply_tariff(struct job *job, struct prov_item *it)
{
	const struct proto_tariff	*want = &it->want->tariff;
	struct proto_tariff		 t;
	uint16_t			 regs[PROTO_TARIFF_COUNT];
	char				*cause = NULL;
	int				 rc;

	switch (it->astep++) {
	case 0:
		if (!it->tariff_change)
			return JOB_NORMAL;
		if (job_cancelled(job))
			return prov_interrupted(it);
		proto_tariff_encode(want, regs);
		return job_write(job, PROTO_A_TARIFF_VERSION, PROTO_TARIFF_COUNT, regs);
	case 1:
		if (prov_written(job, it, PROV_SEC_TARIFF) != 0)
			return JOB_ERROR;
		pile_tariff_request(it->pile, &job->xfer);
		return job_transact(job);
	default:
		if ((rc = pile_tariff_parse(it->pile, &job->xfer, &t, &cause)) != 0)
			return prov_sec_failed(it, PROV_SEC_TARIFF, rc, cause);
		if (!prov_same_tariff(&t, want))
			return prov_sec_failed(it, PROV_SEC_TARIFF, PILE_E_PROTOCOL,
			    xasprintf(_("the tariff reads back as version %u, not the %u "
			    "written"), t.version, want->version));
		it->sec[PROV_SEC_TARIFF] = PROV_SEC_APPLIED;
		return JOB_NORMAL;
	}
}

/* The whitelist stopped on a failure: the pile fails saying how far the
 * list got (cause taken). */
static enum job_return
prov_wl_failed(struct prov_item *it, int rc, char *cause)
{
	char	*why = NULL;

	rc = wlsync_stopped(&it->wl, rc, cause, &why);
	return prov_sec_failed(it, PROV_SEC_WHITELIST, rc, why);
}

enum { WL_NEXT, WL_AUTH, WL_CMD, WL_VERIFY, WL_REPLAN };

/* The plan's next whitelist command (the session opened first in a turn
 * of its own when it must be), or the read that verifies and records the
 * list. A cancel stops between two commands (the version is set by the
 * last one only: a stopped list reads as one not synced). */
static enum job_return
prov_wl_next(struct job *job, struct prov_item *it)
{
	enum wl_plan_step	next;
	enum job_return		rc;

	if (job_cancelled(job))
		return prov_interrupted(it);
	rc = wl_plan_next(job, &it->wl, &it->wc, &next);
	it->astep = next == WL_PLAN_VERIFY ? WL_VERIFY : next == WL_PLAN_AUTH ?
	    WL_AUTH : WL_CMD;
	return rc;
}

static enum job_return
prov_apply_whitelist(struct job *job, struct prov_item *it)
{
	struct pile_wl_status	 st;
	char			*cause = NULL;
	int			 rc;

	if (it->wl_staged) {
		/* Committed with the broadcast, before the piles were
		 * applied (prov_stage_step). */
		it->writes += it->wl_commits;
		if (!it->wl_site_ok)
			return prov_sec_failed(it, PROV_SEC_WHITELIST, it->wl_site_rc ?
			    it->wl_site_rc : PILE_E_PROTOCOL, xstrdup(it->wl_site_error ?
			    it->wl_site_error : _("not staged")));
		it->sec[PROV_SEC_WHITELIST] = PROV_SEC_APPLIED;
		return JOB_NORMAL;
	}
	if (!it->wl_planned)
		return JOB_NORMAL;
	switch (it->astep) {
	case WL_NEXT:
		/* With nothing to change this only reads and records. */
		return prov_wl_next(job, it);
	case WL_AUTH:
		if ((rc = job_write_status(job, NULL, &cause)) != 0)
			return prov_wl_failed(it, rc, cause);
		return prov_wl_next(job, it);
	case WL_CMD:
		if ((rc = wl_cmd_done(job, &it->wc, &cause)) == WL_CMD_PENDING)
			return JOB_WAIT;
		if (rc != 0)
			return prov_wl_failed(it, rc, cause);
		it->wl.ndone++;
		it->writes++;
		it->sec[PROV_SEC_WHITELIST] = PROV_SEC_WRITTEN;
		return prov_wl_next(job, it);
	case WL_REPLAN:
		rc = wlsync_planner_next(it->planner, &job->xfer, &cause);
		if (rc == PILE_XFER_PENDING)
			return job_transact(job);
		prov_planner_free(it);
		if (rc != 0)
			return prov_wl_failed(it, rc, cause);
		return prov_wl_next(job, it);
	default:
		if ((rc = pile_wl_status_parse(&job->xfer, &st, &cause)) != 0 ||
		    (rc = wlsync_verify_status(it->pile, &it->id, &it->wl, &st,
		    &cause)) < 0)
			return prov_wl_failed(it, rc, cause);
		if (rc == 1) {	/* the digests missed a difference: plan again */
			it->planner = xcalloc(1, sizeof *it->planner);
			wlsync_planner_reread(it->planner, it->pile, &it->id, &it->wl);
			pile_xfer_reset(&job->xfer);
			it->astep = WL_REPLAN;
			return prov_apply_whitelist(job, it);
		}
		if (it->sec[PROV_SEC_WHITELIST] != PROV_SEC_UNCHANGED)
			it->sec[PROV_SEC_WHITELIST] = PROV_SEC_APPLIED;
		return JOB_NORMAL;
	}
}

static enum job_return
prov_apply_force(struct job *job, struct prov_item *it)
{
	const struct prov_pile	*w = it->want;
	struct proto_live	 l;
	uint16_t		 v[2];
	char			*cause = NULL;
	int			 rc;

	switch (it->astep++) {
	case 0:
		if (!it->force_change)
			return JOB_NORMAL;
		if (job_cancelled(job))
			return prov_interrupted(it);
		/* The end is in pile time, which the clock step may just
		 * have set. */
		pile_live_request(it->pile, &job->xfer);
		return job_transact(job);
	case 1:
		if ((rc = pile_live_parse(&job->xfer, &l, &cause)) != 0)
			return prov_sec_failed(it, PROV_SEC_FORCE, rc, cause);
		if (job_cancelled(job))
			return prov_interrupted(it);
		it->force_until = w->force_on ? l.clock + w->force_for_s : 0;
		proto_put_u32(v, it->force_until);
		return job_write(job, PROTO_A_CTL_FORCE_OFFLINE, 2, v);
	case 2:
		if (prov_written(job, it, PROV_SEC_FORCE) != 0)
			return JOB_ERROR;
		pile_live_request(it->pile, &job->xfer);
		return job_transact(job);
	default:
		if ((rc = pile_live_parse(&job->xfer, &l, &cause)) != 0)
			return prov_sec_failed(it, PROV_SEC_FORCE, rc, cause);
		if (w->force_on && (l.link != PROTO_LINK_FORCED ||
		    l.forced_until != it->force_until))
			return prov_sec_failed(it, PROV_SEC_FORCE, PILE_E_PROTOCOL,
			    xasprintf(_("the pile reads back '%s' until %u, not forced "
			    "offline until %u"), proto_link_str(l.link), l.forced_until,
			    it->force_until));
		if (!w->force_on && l.link == PROTO_LINK_FORCED)
			return prov_sec_failed(it, PROV_SEC_FORCE, PILE_E_PROTOCOL,
			    xstrdup(_("the pile is still forced offline after it was "
			    "told to end it")));
		it->sec[PROV_SEC_FORCE] = PROV_SEC_APPLIED;
		return JOB_NORMAL;
	}
}

static enum job_return
prov_apply_custody(struct job *job, struct prov_item *it)
{
	if (!it->want->custody)
		return JOB_NORMAL;
	if (it->astep++ == 0) {
		if (job_cancelled(job))
			return prov_interrupted(it);
		it->ok = 1;
	}
	/* The pull and the hand-over as sub-steps of this job; a cancel
	 * reaches them (nothing handed over before the custody write). */
	if (prov_custody_step(job, it) == JOB_WAIT)
		return JOB_WAIT;
	it->sec[PROV_SEC_CUSTODY] = it->ok ? PROV_SEC_APPLIED : PROV_SEC_FAILED;
	return it->ok ? JOB_NORMAL : JOB_ERROR;
}

/* In the order of enum prov_sec: the clock first (a forced-offline end is
 * counted on it). */
static prov_section_fn *const prov_sections[PROV_NSECS] = {
	prov_apply_clock, prov_apply_settings, prov_apply_tariff,
	prov_apply_whitelist, prov_apply_force, prov_apply_custody
};

/* What the plan will write, before anything is. */
static void
prov_apply_begin(struct prov_item *it)
{
	it->applied = 1;
	if (it->clock_change)
		it->sec[PROV_SEC_CLOCK] = PROV_SEC_PLANNED;
	if (it->set_change)
		it->sec[PROV_SEC_AUTH] = PROV_SEC_PLANNED;
	if (it->tariff_change)
		it->sec[PROV_SEC_TARIFF] = PROV_SEC_PLANNED;
	if (it->wl_staged || (it->wl_planned && wlsync_plan_changes(&it->wl)))
		it->sec[PROV_SEC_WHITELIST] = PROV_SEC_PLANNED;
	if (it->force_change)
		it->sec[PROV_SEC_FORCE] = PROV_SEC_PLANNED;
	if (it->want->custody)
		it->sec[PROV_SEC_CUSTODY] = PROV_SEC_PLANNED;
}

static enum job_return
prov_apply_end(struct prov_item *it)
{
	it->seconds = ((double)mono_us() / 1e6) - it->t0;
	it->asec = PROV_NSECS;
	return JOB_NORMAL;
}

enum job_return
prov_apply_step(struct job *job, struct prov_item *it)
{
	enum job_return	rc;

	if (it->asec >= PROV_NSECS)
		return JOB_NORMAL;
	if (!it->applied && !it->failed && it->asec == 0 && it->astep == 0) {
		it->t0 = (double)mono_us() / 1e6;
		prov_apply_begin(it);
		if (prov_item_changes(it) && !it->has_key) {
			prov_fail(it, PILE_E_AUTH, xasprintf(_("cannot write to pile '%s': "
			    "%s"), it->id.serial, it->key_cause ? it->key_cause : "?"));
			return prov_apply_end(it);
		}
	}
	if (it->failed)
		return prov_apply_end(it);
	job->pile = it->pile;
	for (; it->asec < PROV_NSECS; it->asec++, it->astep = 0) {
		if ((rc = prov_sections[it->asec](job, it)) == JOB_WAIT)
			return JOB_WAIT;
		if (rc == JOB_ERROR)
			return prov_apply_end(it);
	}
	it->ok = 1;
	return prov_apply_end(it);
}

void
prov_item_unreached(struct prov_item *it)
{
	if (it->failed || it->applied)
		return;
	prov_apply_begin(it);
	it->applied = 0;
	it->interrupted = 1;
	if (it->wl_staged && it->wl_site_done) {
		/* Its list went out with the broadcast before the piles were
		 * applied. */
		it->writes += it->wl_commits;
		it->sec[PROV_SEC_WHITELIST] = it->wl_site_ok ? PROV_SEC_APPLIED :
		    PROV_SEC_FAILED;
	}
}

enum job_return
prov_close_step(struct job *job, struct prov_run *run, size_t *at)
{
	const uint16_t		 one = 1;
	struct prov_item	*it;

	if (run->closing) {	/* the close of *at was written */
		(void)job_write_status(job, NULL, NULL);
		pile_session_forget(run->items[*at].pile);
		run->closing = 0;
		(*at)++;
	}
	for (; *at < run->nitems; (*at)++) {
		it = &run->items[*at];
		if (it->pile == NULL || !pile_session_to_close(it->pile))
			continue;
		job->pile = it->pile;
		run->closing = 1;
		return job_write(job, PROTO_A_SESSION_CLOSE, 1, &one);
	}
	return JOB_NORMAL;
}
