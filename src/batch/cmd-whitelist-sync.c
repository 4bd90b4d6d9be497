/* cmd-whitelist-sync.c - `pilecon whitelist sync FILE.csv`: make one pile's
 * list exactly the file's: on a pile with staging (1.1) the list is staged
 * and committed whole unless the change is a few commands; otherwise only
 * the changes are written (wlsync.c). A cancel leaves nothing half-applied
 * (cmd_whitelist_sync_apply says how). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/wlcsv.h"
#include "batch/wlsite.h"
#include "batch/wlsync.h"

static enum job_return	cmd_whitelist_sync_step(struct job *);
static void		cmd_whitelist_sync_render(const struct result *, FILE *);

const struct cmd_entry cmd_whitelist_sync_entry = {
	.name = "whitelist sync",
	.args = "FILE --version=VERSION --full --by=HOW --dry-run --json",
	.usage = "FILE.csv [--version N] [--full] [--by auto|commands|staging] [--dry-run] [--json]",
	.help = N_("make the pile's whitelist exactly the CSV file's (cards not in the "
	    "file are removed): only the changes, or on a pile with staging a big "
	    "change staged whole and committed at once"),
	.step = cmd_whitelist_sync_step,
	.render = cmd_whitelist_sync_render,
};

enum { SYNC_PARSE, SYNC_PLAN, SYNC_PLANNING, SYNC_APPLY, SYNC_AUTH, SYNC_COMMAND,
	SYNC_VERIFY, SYNC_STAGE };

/*
 * Commands or staging (pile_stage_pays). A whitelist command changes the
 * list at once, so a sync stopped between two commands would leave the
 * list half-changed: once the first command is taken, the sync is finished
 * before a cancel is honoured. A staged list changes nothing until its one
 * commit, so a cancel before the commit leaves the list as it was, but it
 * sends the whole list (2,000 cards: 500 chunks, 14 s at 115200 8E1)
 * where commands send only the changes. So a change whose commands take at
 * most PILE_STAGE_FINISH_MS of wire to finish goes by commands, a bigger
 * one to a pile with staging is staged (figures: tests/bench/whitelist-stage).
 */

struct sync {
	struct proto_wl_entry	*e;
	size_t			 n;
	uint32_t		 version;
	struct wlsync_plan	 pl;
	struct wlsync_planner	 pr;		/* while SYNC_PLANNING */
	const char		*shown;		/* the planner's progress shown */
	size_t			 sent;		/* commands sent before a re-plan */
	struct wl_cmd		 wc;		/* the command being sent */
	int			 staged;	/* the plan goes by staging */
	struct pile_stage_put	 put;
	int			 late;		/* cancelled after writing began */
};

static void
sync_free(void *p)
{
	struct sync	*sy = p;

	free(sy->e);
	free(sy->wc.werr);
	pile_stage_put_free(&sy->put);
	wlsync_planner_free(&sy->pr);
	wlsync_plan_free(&sy->pl);
	free(sy);
}

static const char *
sy_by_str(struct job *job)
{
	return ((struct sync *)job->data)->staged ? "staging" : "commands";
}

/* The plan, and whether it was applied, as the result. */
static void
sync_data(struct job *job, const struct wlsync_plan *pl, int applied)
{
	struct json	*o = job_data(job);

	json_set_str(o, "serial", job->identity.serial);
	json_set_int(o, "address", pile_addr(job->pile));
	json_set_str(o, "mode", wlsync_mode_str(pl->mode));
	json_set_str(o, "why", pl->why);
	json_set_int(o, "add", (int64_t)pl->nadd);
	json_set_int(o, "change", (int64_t)pl->nchange);
	json_set_int(o, "remove", (int64_t)pl->nremove);
	json_set_int(o, "commands", (int64_t)pl->ncommands);
	json_set_int(o, "read", (int64_t)pl->nread);
	json_set_int(o, "buckets", (int64_t)pl->nbuckets);
	json_set_int(o, "version_before", pl->pile.version);
	json_set_int(o, "version", pl->new_version);
	json_set_int(o, "count", (int64_t)pl->nwant);
	json_set(o, "digest", json_strf("%08" PRIX32, pl->want_digest));
	json_set_str(o, "by", sy_by_str(job));
	json_set_int(o, "chunks", ((struct sync *)job->data)->staged ?
	    pile_stage_chunks(pl->nwant) : 0);
	json_set_bool(o, "applied", applied);
}

static int
sync_version(struct job *job, uint32_t *version)
{
	const char	*s = cmd_args_get(&job->args, "version");
	char		*end;
	unsigned long	 v;

	*version = 0;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v == 0 ||
	    v > UINT32_MAX) {
		job_fail(job, EXIT_USAGE, _("bad value '%s' for --version: expected a "
		    "number from 1 to %lu"), s, (unsigned long)UINT32_MAX);
		return -1;
	}
	*version = (uint32_t)v;
	return 0;
}

/* A failure, saying how far the sync got (cause taken). */
static enum job_return
sync_stopped(struct job *job, struct sync *sy, int rc, char *cause)
{
	char	*why = NULL;

	rc = wlsync_stopped(&sy->pl, rc, cause, &why);
	return job_fail_pile(job, rc, why);
}

/* Should this plan be staged (see SYNC_COMMANDS_MAX)? -1 when --by says
 * something else. */
static int
sync_by_staging(struct job *job, const struct wlsync_plan *pl)
{
	const char	*by = cmd_args_get(&job->args, "by");
	int		 can = (pile_caps(job->pile) & PROTO_CAP_STAGING) != 0;

	if (by == NULL || strcmp(by, "auto") == 0)
		return wlsync_plan_changes(pl) && pile_stage_pays(job->pile,
		    pl->ncommands);
	if (strcmp(by, "commands") == 0)
		return 0;
	if (strcmp(by, "staging") == 0) {
		if (!can) {
			job_fail(job, EXIT_USAGE, _("--by staging: %s has no staging area "
			    "(protocol 1.0); nothing was written"),
			    text_show(job->identity.serial));
			return -1;
		}
		return wlsync_plan_changes(pl);
	}
	job_fail(job, EXIT_USAGE, _("bad value '%s' for --by: expected auto, commands "
	    "or staging"), by);
	return -1;
}

/*
 * The next command of the plan (the session opened first in a turn of its
 * own when it must be), or the read that verifies the sync. A cancel
 * before the first command stops with nothing written; once a command was
 * taken the list is changing, so the sync is finished (a begun change is
 * finished) and the front end says the cancel came too late to stop it.
 */
static enum job_return
cmd_whitelist_sync_apply(struct job *job, struct sync *sy)
{
	enum wl_plan_step	next;
	enum job_return		rc;

	if (job_cancelled(job) && sy->pl.ndone == 0 && sy->sent == 0)
		return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
		    "written"));
	if (job_cancelled(job) && !sy->late) {
		sy->late = 1;
		job_event(job, RESULT_WARN, _("cancel asked after %zu of %zu commands "
		    "were taken: the sync is finished so that the list is not left "
		    "half-changed"), sy->pl.ndone, sy->pl.ncommands);
	}
	rc = wl_plan_next(job, &sy->pl, &sy->wc, &next);
	job->state = next == WL_PLAN_VERIFY ? SYNC_VERIFY : next == WL_PLAN_AUTH ?
	    SYNC_AUTH : SYNC_COMMAND;
	return rc;
}

/* The planner's progress (cards, bucket digests read) as the job's. */
static void
sync_plan_progress(struct job *job, struct sync *sy)
{
	if (sy->pr.what == NULL)
		return;
	if (sy->pr.what != sy->shown) {
		sy->shown = sy->pr.what;
		job_progress_start(job, _(sy->pr.what), sy->pr.total);
	}
	job->result.progress.total = sy->pr.total;
	job_progress(job, sy->pr.done, 0);
}

/*
 * The plan, a transaction a turn (wlsync_planner). Planning writes
 * nothing, so a cancel stops at once; a plan made again after the bucket
 * digests missed a difference follows commands that were taken, so the
 * sync is finished then (a cancel noted, as between two commands).
 */
static enum job_return
cmd_whitelist_sync_plan(struct job *job, struct sync *sy)
{
	char	*cause = NULL;
	int	 rc;

	if (job_cancelled(job) && sy->sent == 0)
		return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
		    "written"));
	rc = wlsync_planner_next(&sy->pr, &job->xfer, &cause);
	sync_plan_progress(job, sy);
	if (rc == PILE_XFER_PENDING)
		return job_transact(job);
	wlsync_planner_free(&sy->pr);
	if (rc != 0)
		return job_fail_pile(job, rc, cause);
	if (sy->sent > 0) {	/* made again: its commands */
		job_progress_start(job, _("commands"), sy->pl.ncommands);
		job->state = SYNC_APPLY;
		return job_yield(job);
	}
	if ((rc = sync_by_staging(job, &sy->pl)) < 0)
		return JOB_ERROR;
	if ((sy->staged = rc)) {
		/* One commit is one edit: the version moves by one. */
		if (sy->version == 0)
			sy->pl.new_version = sy->pl.pile.version + 1;
		sy->pl.mode = WLSYNC_STAGED;
		sy->pl.why = N_("staged whole in the pile's staging area, then "
		    "committed at once");
	}
	if (cmd_args_has(&job->args, "dry-run")) {
		sync_data(job, &sy->pl, 0);
		return JOB_NORMAL;
	}
	if (sy->staged) {
		job_stage_begin(job, &sy->put, sy->pl.want, sy->pl.nwant,
		    sy->pl.new_version);
		job->state = SYNC_STAGE;
		return job_yield(job);
	}
	job_progress_start(job, _("commands"), sy->pl.ncommands);
	job->state = SYNC_APPLY;
	return job_yield(job);
}

/*
 * Parse the file, connect, plan (reads the pile), then one whitelist
 * command a turn, so the console keeps answering during a sync of
 * thousands of cards; the last turn reads the list back and records it.
 * A cancel stops between two commands and says how far it got (the
 * version is set by the last command only: a stopped sync reads as one).
 */
static enum job_return
cmd_whitelist_sync_step(struct job *job)
{
	const char		*path = job->args.pos[0];
	struct sync		*sy = job->data;
	struct pile_wl_status	 st;
	char			*cause = NULL;
	FILE		*f;
	int		 rc;

	switch (job->state) {
	case SYNC_PARSE:
		job->data = sy = xcalloc(1, sizeof *sy);
		job->free_data = sync_free;
		if (sync_version(job, &sy->version) != 0)
			return JOB_ERROR;
		if (strcmp(path, "-") == 0)
			f = stdin;
		else if ((f = fopen(path, "r")) == NULL)
			return job_fail(job, EXIT_USAGE, _("cannot open '%s': %s"), path,
			    strerror(errno));
		rc = wlcsv_parse(f, f == stdin ? "<stdin>" : path, &sy->e, &sy->n, &cause);
		if (f != stdin)
			fclose(f);
		if (rc != 0) {
			job_event(job, RESULT_ERROR, "%s", cause);
			free(cause);
			return job_fail(job, EXIT_USAGE, _("nothing written"));
		}
		job->state = SYNC_PLAN;
		return job_connect(job);
	case SYNC_PLAN:
		rc = wlsync_planner_begin(&sy->pr, job->pile, &job->identity, sy->e, sy->n,
		    sy->version, cmd_args_has(&job->args, "full"), 1, &sy->pl, &cause);
		free(sy->e);
		sy->e = NULL;
		if (rc == WLSYNC_TOO_BIG)	/* the list must change: bad input */
			return job_fail_cause(job, EXIT_USAGE, cause);
		if (rc != 0)
			return job_fail_pile(job, rc, cause);
		job->state = SYNC_PLANNING;
		return cmd_whitelist_sync_plan(job, sy);
	case SYNC_PLANNING:
		return cmd_whitelist_sync_plan(job, sy);
	case SYNC_AUTH:
		if ((rc = job_write_status(job, NULL, &cause)) != 0)
			return sync_stopped(job, sy, rc, cause);
		job->state = SYNC_APPLY;
		return cmd_whitelist_sync_apply(job, sy);
	case SYNC_APPLY:
		return cmd_whitelist_sync_apply(job, sy);
	case SYNC_COMMAND:
		if ((rc = wl_cmd_done(job, &sy->wc, &cause)) == WL_CMD_PENDING)
			return JOB_WAIT;
		if (rc != 0)
			return sync_stopped(job, sy, rc, cause);
		sy->pl.ndone++;
		job_progress(job, sy->pl.ndone, sy->pl.ndone * 2 * (4 +
		    PROTO_WL_WINDOW_ENTRIES * PROTO_WL_ENTRY_REGS));
		job->state = SYNC_APPLY;
		return cmd_whitelist_sync_apply(job, sy);
	case SYNC_STAGE:
		if ((rc = job_stage_step(job, &sy->put)) != JOB_NORMAL)
			return (enum job_return)rc;
		sy->pl.ndone = sy->pl.ncommands;
		sync_data(job, &sy->pl, 1);
		return JOB_NORMAL;
	case SYNC_VERIFY:
		if ((rc = pile_wl_status_parse(&job->xfer, &st, &cause)) != 0 ||
		    (rc = wlsync_verify_status(job->pile, &job->identity, &sy->pl, &st,
		    &cause)) < 0)
			return job_fail_pile(job, rc, cause);
		if (rc == 1) {
			/* The bucket digests missed a difference: the plan is
			 * made again from the whole list, then its commands. */
			sy->sent += sy->pl.ndone;
			wlsync_planner_reread(&sy->pr, job->pile, &job->identity, &sy->pl);
			job->state = SYNC_PLANNING;
			return cmd_whitelist_sync_plan(job, sy);
		}
		sync_data(job, &sy->pl, 1);
		return JOB_NORMAL;
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

static void
cmd_whitelist_sync_render(const struct result *r, FILE *o)
{
	const struct json	*d = r->data;
	const char		*serial = text_show(json_get_str(d, "serial"));
	int			 addr = (int)json_get_int(d, "address", 0);
	int64_t			 commands = json_get_int(d, "commands", 0);

	if (strcmp(json_get_str(d, "by"), "staging") == 0) {
		fprintf(o, _("pile %s at address %d: whitelist +%zu -%zu ~%zu, v%" PRIu32
		    " -> v%" PRIu32 ", the whole list in %zu chunks, one commit (%s)\n"),
		    serial, addr, (size_t)json_get_int(d, "add", 0),
		    (size_t)json_get_int(d, "remove", 0),
		    (size_t)json_get_int(d, "change", 0),
		    (uint32_t)json_get_int(d, "version_before", 0),
		    (uint32_t)json_get_int(d, "version", 0),
		    (size_t)json_get_int(d, "chunks", 0), _(json_get_str(d, "why")));
	} else if (commands == 0) {
		fprintf(o, _("pile %s at address %d: whitelist v%" PRIu32 ", %zu "
		    "cards: no changes (%s)\n"), serial, addr,
		    (uint32_t)json_get_int(d, "version_before", 0),
		    (size_t)json_get_int(d, "count", 0), _(json_get_str(d, "why")));
		return;
	} else
		fprintf(o, _("pile %s at address %d: whitelist +%zu -%zu ~%zu, v%"
		    PRIu32 " -> v%" PRIu32 ", %zu command%s (%s: %s)\n"), serial, addr,
		    (size_t)json_get_int(d, "add", 0), (size_t)json_get_int(d, "remove", 0),
		    (size_t)json_get_int(d, "change", 0),
		    (uint32_t)json_get_int(d, "version_before", 0),
		    (uint32_t)json_get_int(d, "version", 0), (size_t)commands,
		    commands == 1 ? "" : "s", json_get_str(d, "mode"),
		    _(json_get_str(d, "why")));
	if (json_get_bool(d, "applied"))
		fprintf(o, _("synced: %zu cards, digest %08" PRIX32 ", version %" PRIu32
		    "\n"), (size_t)json_get_int(d, "count", 0),
		    (uint32_t)strtoul(json_get_str(d, "digest"), NULL, 16),
		    (uint32_t)json_get_int(d, "version", 0));
}
