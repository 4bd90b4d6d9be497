/* cmd-whitelist-import.c - `pilecon whitelist import FILE.csv`: the whole
 * file is checked before anything is written; then upserts of 4 entries
 * per command (one whitelist command block holds 4), or on a pile with
 * staging, when the commands would take long to finish, the pile's list
 * with the file's cards staged whole and committed at once. */
#include "config.h"

#include <errno.h>
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

static enum job_return	cmd_whitelist_import_step(struct job *);
static void		cmd_whitelist_import_render(const struct result *, FILE *);

const struct cmd_entry cmd_whitelist_import_entry = {
	.name = "whitelist import",
	.args = "FILE",
	.usage = "FILE.csv",
	.help = N_("add or replace the cards of a CSV file (uid,status,expires,holder); " "a bad line imports nothing"),
	.step = cmd_whitelist_import_step,
	.render = cmd_whitelist_import_render,
};

static int
import_uid_cmp(const void *a, const void *b)
{
	return strcmp(((const struct proto_wl_entry *)a)->uid,
	    ((const struct proto_wl_entry *)b)->uid);
}

/*
 * The file is checked whole before the pile is opened; the pile's status
 * (and its list, when the import might not fit or goes by staging) is read
 * before the first write; then one command of 4 cards a turn, so the
 * console keeps answering. A cancel before the first command writes
 * nothing; once a command was taken the import is finished (a begun change
 * is finished), so the list never holds part of the file. An import whose
 * commands would take more than PILE_STAGE_FINISH_MS to finish goes to a
 * pile with staging as its whole new list, staged and committed at once:
 * a cancel before the commit writes nothing.
 */
enum { IMP_PARSE, IMP_CONNECTED, IMP_STATUS, IMP_FIT, IMP_WRITE, IMP_WRITTEN,
	IMP_AUTH, IMP_COMMAND, IMP_READ, IMP_STAGE };

struct import {
	struct proto_wl_entry	*e;
	size_t			 n, done;
	struct wl_reader	 rd;
	int			 have_list;	/* rd holds the pile's list */
	struct pile_wl_status	 st;
	struct wl_cmd		 wc;
	int			 late;		/* cancelled after writing began */
	struct proto_wl_entry	*merged;	/* staging: the new list */
	size_t			 nmerged;
	struct pile_stage_put	 put;
};

static void
import_free(void *p)
{
	struct import	*im = p;

	free(im->e);
	free(im->wc.werr);
	free(im->merged);
	pile_stage_put_free(&im->put);
	wl_reader_free(&im->rd);
	free(im);
}

/* How many of the file's cards the pile's list (read) does not hold. */
static size_t
import_fresh(const struct import *im)
{
	struct proto_wl_entry	*have = im->rd.all;
	size_t			 i, fresh = im->n;

	/* The pile's list sorted, each card of the file looked up in it:
	 * O((n + m) log m). */
	if (im->rd.have > 0)
		qsort(have, im->rd.have, sizeof *have, import_uid_cmp);
	for (i = 0; i < im->n; i++)
		if (im->rd.have > 0 && bsearch(&im->e[i], have, im->rd.have,
		    sizeof *have, import_uid_cmp) != NULL)
			fresh--;
	return fresh;
}

static enum job_return
import_refuse(struct job *job, struct import *im, size_t fresh)
{
	/* The file must change (or the pile's list first): bad input, as
	 * 'whitelist sync' says of a list bigger than the pile. */
	return job_fail(job, EXIT_USAGE, _("'%s' adds %zu new cards to the %u of "
	    "%s, which holds at most %u (identity.whitelist_capacity): out of "
	    "storage; nothing imported (remove cards first, or 'whitelist sync' to "
	    "replace the list)"), job->args.pos[0], fresh, im->st.count,
	    text_show(job->identity.serial), job->identity.wl_capacity);
}

/* The pile's list (read, sorted by import_fresh) with the file's cards
 * added or replacing theirs: the list to stage. */
static int
import_merge(struct import *im, char **cause)
{
	struct proto_wl_entry	*file;
	size_t			 i;

	file = xcalloc(im->n + 1, sizeof *file);
	memcpy(file, im->e, im->n * sizeof *file);
	qsort(file, im->n, sizeof *file, import_uid_cmp);
	im->merged = xcalloc(im->n + im->rd.have + 1, sizeof *im->merged);
	memcpy(im->merged, file, im->n * sizeof *file);
	im->nmerged = im->n;
	for (i = 0; i < im->rd.have; i++)
		if (bsearch(&im->rd.all[i], file, im->n, sizeof *file,
		    import_uid_cmp) == NULL)
			im->merged[im->nmerged++] = im->rd.all[i];
	free(file);
	return wlsync_sort(im->merged, im->nmerged, cause);
}

static enum job_return	import_stage(struct job *, struct import *);

/* After the checks: by commands, or the pile's list read for staging. */
static enum job_return
import_go(struct job *job, struct import *im)
{
	size_t	ncmds = (im->n + PROTO_WL_WINDOW_ENTRIES - 1) / PROTO_WL_WINDOW_ENTRIES;

	if (!pile_stage_pays(job->pile, ncmds)) {
		wl_reader_free(&im->rd);
		job->state = IMP_WRITE;
		job_progress_start(job, _("cards"), im->n);
		return job_yield(job);
	}
	if (!im->have_list) {
		memset(&im->rd, 0, sizeof im->rd);
		job->state = IMP_READ;
		return job_yield(job);
	}
	return import_stage(job, im);
}

static enum job_return
import_stage(struct job *job, struct import *im)
{
	uint32_t	 version = im->rd.version + 1;	/* one commit, one edit */
	char		*cause = NULL;

	if (job_cancelled(job))
		return job_fail(job, EXIT_FAILED, _("interrupted: nothing was written"));
	(void)import_fresh(im);		/* sorts the pile's list */
	if (import_merge(im, &cause) != 0)
		return job_fail_pile(job, PILE_E_PROTOCOL, cause);
	wl_reader_free(&im->rd);
	job_stage_begin(job, &im->put, im->merged, im->nmerged, version);
	job->state = IMP_STAGE;
	return job_yield(job);
}

/* The next command of 4 cards (the session opened first in a turn of its
 * own when it must be), or the status read that ends the import. */
static enum job_return
import_apply(struct job *job, struct import *im)
{
	size_t	k;

	if (job_cancelled(job) && im->done == 0)
		return job_fail(job, EXIT_FAILED, _("interrupted: nothing was written"));
	if (job_cancelled(job) && !im->late) {
		im->late = 1;
		job_event(job, RESULT_WARN, _("cancel asked after %zu of %zu cards were "
		    "imported: the import is finished so that the list does not hold "
		    "part of the file"), im->done, im->n);
	}
	if (im->done >= im->n) {
		pile_wl_status_request(job->pile, &job->xfer);
		job->state = IMP_WRITTEN;
		return job_transact(job);
	}
	if (pile_needs_auth(job->pile)) {
		job->state = IMP_AUTH;
		return job_auth(job);
	}
	k = im->n - im->done < PROTO_WL_WINDOW_ENTRIES ? im->n - im->done :
	    PROTO_WL_WINDOW_ENTRIES;
	job->state = IMP_COMMAND;
	return wl_cmd_send(job, &im->wc, PROTO_WL_UPSERT, 0, im->e + im->done, (int)k);
}

/* A failure: how far the import got. */
static enum job_return
import_stopped(struct job *job, struct import *im, int rc, char *cause)
{
	job_event(job, RESULT_ERROR, _("import stopped after %zu of %zu cards"),
	    im->done, im->n);
	return job_fail_pile(job, rc, cause);
}

static enum job_return
cmd_whitelist_import_step(struct job *job)
{
	const char	*path = job->args.pos[0];
	struct import	*im = job->data;
	struct json	*o;
	enum job_return	 jr;
	char		*cause = NULL;
	size_t		 k;
	FILE		*f;
	int		 rc;

	switch (job->state) {
	case IMP_PARSE:
		job->data = im = xcalloc(1, sizeof *im);
		job->free_data = import_free;
		if (strcmp(path, "-") == 0)
			f = stdin;
		else if ((f = fopen(path, "r")) == NULL)
			return job_fail(job, EXIT_USAGE, _("cannot open '%s': %s"), path,
			    strerror(errno));
		rc = wlcsv_parse(f, f == stdin ? "<stdin>" : path, &im->e, &im->n, &cause);
		if (f != stdin)
			fclose(f);
		if (rc != 0) {
			job_event(job, RESULT_ERROR, "%s", cause);
			free(cause);
			return job_fail(job, EXIT_USAGE, _("nothing imported"));
		}
		job->state = IMP_CONNECTED;
		return job_connect(job);
	case IMP_CONNECTED:
		pile_wl_status_request(job->pile, &job->xfer);
		job->state = IMP_STATUS;
		return job_transact(job);
	case IMP_STATUS:
		if ((rc = pile_wl_status_parse(&job->xfer, &im->st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		/* One outcome: an import that cannot fit is refused before the
		 * first write (as 'whitelist sync --dry-run' says), not stopped
		 * when full. Only an import that might not fit reads the list. */
		if (job->identity.wl_capacity != 0 &&
		    (uint64_t)im->st.count + im->n > job->identity.wl_capacity) {
			job->state = IMP_FIT;
			return cmd_whitelist_import_step(job);
		}
		return import_go(job, im);
	case IMP_FIT:
	case IMP_READ:
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		if ((jr = wl_reader_step(job, &im->rd)) != JOB_NORMAL)
			return jr;
		im->have_list = 1;
		im->st.count = (uint32_t)im->rd.have;
		if (job->state == IMP_READ)
			return import_stage(job, im);
		if ((uint64_t)im->st.count + import_fresh(im) > job->identity.wl_capacity)
			return import_refuse(job, im, import_fresh(im));
		return import_go(job, im);
	case IMP_WRITE:
		return import_apply(job, im);
	case IMP_AUTH:
		if ((rc = job_write_status(job, NULL, &cause)) != 0)
			return import_stopped(job, im, rc, cause);
		return import_apply(job, im);
	case IMP_COMMAND:
		if ((rc = wl_cmd_done(job, &im->wc, &cause)) == WL_CMD_PENDING)
			return JOB_WAIT;
		if (rc != 0)
			return import_stopped(job, im, rc, cause);
		k = im->n - im->done < PROTO_WL_WINDOW_ENTRIES ? im->n - im->done :
		    PROTO_WL_WINDOW_ENTRIES;
		im->done += k;
		job_progress(job, im->done, im->done * PROTO_WL_ENTRY_REGS * 2);
		return import_apply(job, im);
	case IMP_STAGE:
		if ((jr = job_stage_step(job, &im->put)) != JOB_NORMAL)
			return jr;
		im->done = im->n;
		im->st = im->put.after;
		o = job_data(job);
		json_set_str(o, "serial", job->identity.serial);
		json_set_int(o, "imported", (int64_t)im->done);
		json_set_int(o, "version", im->st.version);
		json_set_int(o, "count", im->st.count);
		json_set_str(o, "by", "staging");
		return JOB_NORMAL;
	case IMP_WRITTEN:
		if ((rc = pile_wl_status_parse(&job->xfer, &im->st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		o = job_data(job);
		json_set_str(o, "serial", job->identity.serial);
		json_set_int(o, "imported", (int64_t)im->done);
		json_set_int(o, "version", im->st.version);
		json_set_int(o, "count", im->st.count);
		json_set_str(o, "by", "commands");
		return JOB_NORMAL;
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

static void
cmd_whitelist_import_render(const struct result *r, FILE *f)
{
	fprintf(f, _("imported %zu cards into the whitelist of %s; version %u, "
	    "%u entries\n"), (size_t)json_get_int(r->data, "imported", 0),
	    text_show(json_get_str(r->data, "serial")),
	    (unsigned)json_get_int(r->data, "version", 0),
	    (unsigned)json_get_int(r->data, "count", 0));
}
