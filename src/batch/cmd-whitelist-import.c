/* cmd-whitelist-import.c - `pilecon whitelist import FILE.csv`: the whole
 * file is checked before anything is written; then upserts of 4 entries
 * per command (one whitelist command block holds 4). */
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
 * (and its list, when the import might not fit) is read before the first
 * write; then one command of 4 cards a turn, so the console keeps
 * answering and a cancel stops between two commands.
 */
enum { IMP_PARSE, IMP_CONNECTED, IMP_STATUS, IMP_FIT, IMP_WRITE, IMP_WRITTEN };

struct import {
	struct proto_wl_entry	*e;
	size_t			 n, done;
	struct wl_reader	 rd;
	struct pile_wl_status	 st;
};

static void
import_free(void *p)
{
	struct import	*im = p;

	free(im->e);
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
		job->state = IMP_WRITE;
		if (job->identity.wl_capacity != 0 &&
		    (uint64_t)im->st.count + im->n > job->identity.wl_capacity) {
			job->state = IMP_FIT;
			return cmd_whitelist_import_step(job);
		}
		job_progress_start(job, _("cards"), im->n);
		return job_yield(job);
	case IMP_FIT:
		if ((jr = wl_reader_step(job, &im->rd)) != JOB_NORMAL)
			return jr;
		if ((uint64_t)im->st.count + import_fresh(im) > job->identity.wl_capacity)
			return import_refuse(job, im, import_fresh(im));
		wl_reader_free(&im->rd);
		job->state = IMP_WRITE;
		job_progress_start(job, _("cards"), im->n);
		return job_yield(job);
	case IMP_WRITE:
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: %zu of %zu cards "
			    "imported"), im->done, im->n);
		if (im->done < im->n) {
			k = im->n - im->done < PROTO_WL_WINDOW_ENTRIES ? im->n - im->done :
			    PROTO_WL_WINDOW_ENTRIES;
			/* Authenticates first when it must: one transaction
			 * group, the runner's contract allows it. */
			if ((rc = pile_wl_command(job->pile, PROTO_WL_UPSERT, 0,
			    im->e + im->done, (int)k, &cause)) != 0) {
				job_event(job, RESULT_ERROR, _("import stopped after %zu of "
				    "%zu cards"), im->done, im->n);
				return job_fail_pile(job, rc, cause);
			}
			im->done += k;
			job_progress(job, im->done, im->done * PROTO_WL_ENTRY_REGS * 2);
			return job_yield(job);
		}
		pile_wl_status_request(job->pile, &job->xfer);
		job->state = IMP_WRITTEN;
		return job_transact(job);
	case IMP_WRITTEN:
		if ((rc = pile_wl_status_parse(&job->xfer, &im->st, &cause)) != 0)
			return job_fail_pile(job, rc, cause);
		o = job_data(job);
		json_set_str(o, "serial", job->identity.serial);
		json_set_int(o, "imported", (int64_t)im->done);
		json_set_int(o, "version", im->st.version);
		json_set_int(o, "count", im->st.count);
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
