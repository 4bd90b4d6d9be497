/* cmd-whitelist-export.c - `pilecon whitelist export [-o FILE]`: the pile's
 * list as CSV that `whitelist import` reads back; -o writes atomically. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/wlcsv.h"

static enum job_return	cmd_whitelist_export_step(struct job *);
static void		cmd_whitelist_export_render(const struct result *, FILE *);

const struct cmd_entry cmd_whitelist_export_entry = {
	.name = "whitelist export",
	.args = "-o=FILE",
	.usage = "[-o FILE]",
	.help = N_("write the pile's whitelist as CSV to FILE (atomically) or to standard output"),
	.step = cmd_whitelist_export_step,
	.render = cmd_whitelist_export_render,
};

/* Through out_file: a regular file is replaced atomically (a reader never
 * sees half a list, a failure leaves the old file), a device or a FIFO is
 * written in place, never replaced. */
static int
export_atomic(const char *path, const struct proto_wl_entry *e, size_t n, char **cause)
{
	struct out_file	 of;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f;
	int		 rc;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal_oom();
	rc = wlcsv_write(f, e, n, cause);
	fclose(f);
	if (rc == 0 && (rc = out_file_open(&of, path, cause)) == 0) {
		if (out_file_write(&of, buf, len) != 0) {
			rc = set_cause(cause, -1, _("cannot write '%s': %s"), path,
			    out_file_strerror(errno));
			out_file_abort(&of);
		} else
			rc = out_file_commit(&of, cause);
	}
	free(buf);
	return rc;
}

static void
export_free_data(void *p)
{
	wl_reader_free(p);
	free(p);
}

/* The list is read a window a turn (job-wl.c); without -o the CSV is the
 * result, rendered where the front end says. */
static enum job_return
cmd_whitelist_export_step(struct job *job)
{
	const char		*path = cmd_args_get(&job->args, "o");
	struct wl_reader	*rd = job->data;
	struct json		*o;
	enum job_return		 jr;
	char			*cause = NULL, *text = NULL;
	size_t			 len = 0;
	FILE			*f;
	int			 rc;

	if (rd == NULL) {
		job->data = rd = xcalloc(1, sizeof *rd);
		job->free_data = export_free_data;
		/* A path pilecon will not write is bad input: said before the
		 * pile is read. */
		if (path != NULL && strcmp(path, "-") != 0 &&
		    out_file_check(path, &cause) != 0)
			return job_fail_cause(job, EXIT_USAGE, cause);
		return job_connect(job);
	}
	if ((jr = wl_reader_step(job, rd)) != JOB_NORMAL)
		return jr;
	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;
	o = job_data(job);
	json_set_str(o, "serial", job->identity.serial);
	json_set_int(o, "version", rd->version);
	json_set_int(o, "count", (int64_t)rd->have);
	if (path != NULL) {
		if ((rc = export_atomic(path, rd->all, rd->have, &cause)) != 0)
			return job_fail_cause(job, rc == OUT_FILE_REFUSED ? EXIT_USAGE :
			    EXIT_FAILED, cause);
		json_set_str(o, "file", path);
		job_event(job, RESULT_OK, _("wrote %zu cards (whitelist version %u of %s) "
		    "to '%s'"), rd->have, rd->version, job->identity.serial, path);
		return JOB_NORMAL;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal_oom();
	rc = wlcsv_write(f, rd->all, rd->have, &cause);
	fclose(f);
	if (rc != 0) {
		free(text);
		return job_fail_cause(job, EXIT_FAILED, cause);
	}
	json_set_str(o, "text", text);
	free(text);
	return JOB_NORMAL;
}

static void
cmd_whitelist_export_render(const struct result *r, FILE *f)
{
	const char	*text = json_get_str(r->data, "text");

	if (text != NULL)
		fputs(text, f);
}
