/* cmd-logs-export.c - `pilecon logs export`: the archive as CSV or JSON
 * Lines for the operator's central system, written atomically. */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "batch/job.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

static enum job_return	cmd_logs_export_step(struct job *);
static void		cmd_logs_export_render(const struct result *, FILE *);

const struct cmd_entry cmd_logs_export_entry = {
	.name = "logs export",
	.flags = CMD_LOCAL,
	.args = "--format=FORMAT -o=FILE --pile=SERIAL",
	.usage = "--format csv|jsonl|ocmf [-o FILE] [--pile SERIAL]",
	.help = N_("export the archived records as CSV, JSON Lines or OCMF (signed records), atomically, to FILE or standard output"),
	.step = cmd_logs_export_step,
	.render = cmd_logs_export_render,
};

/* Without -o the export is the result: written to memory as it goes, then
 * rendered, so a front end decides where it lands. */
static char *
export_to_memory(struct archive *ar, const char *serial, enum archive_format af, int *n,
    char **cause)
{
	struct stat	 sb;
	char		*text;
	ssize_t		 got;
	size_t		 off = 0;
	int		 fd;

	if ((fd = memfd_create("pilecon-export", MFD_CLOEXEC)) < 0) {
		*n = set_cause(cause, -1, _("cannot make room for the export: %s"),
		    strerror(errno));
		return NULL;
	}
	if ((*n = archive_export_fd(ar, serial, af, fd, cause)) < 0 ||
	    fstat(fd, &sb) != 0) {
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)sb.st_size + 1);
	while (off < (size_t)sb.st_size &&
	    (got = pread(fd, text + off, (size_t)sb.st_size - off, (off_t)off)) > 0)
		off += (size_t)got;
	text[off] = '\0';
	close(fd);
	return text;
}

/* --pile SERIAL of logs export, list and report: a pile the archive does
 * not hold fails the job saying so (an empty answer would read as "this
 * pile has no records"). 1 when held or serial is NULL; else the job has
 * failed. */
int
logs_pile_held(struct job *job, struct archive *ar, const char *serial)
{
	char	*cause = NULL;
	int	 held;

	if (serial == NULL)
		return 1;
	if ((held = archive_has_pile(ar, serial, &cause)) < 0) {
		job_fail_cause(job, EXIT_FAILED, cause);
		return -1;
	}
	if (held == 0)
		job_fail(job, EXIT_FAILED, _("no records of pile '%s' in the archive '%s': "
		    "nothing matched ('pilecon logs list' shows the piles it holds)"),
		    text_show(serial), job->ctx->opts.archive_path);
	return held;
}

static enum job_return
cmd_logs_export_step(struct job *job)
{
	const char		*fmt = cmd_args_get(&job->args, "format");
	const char		*path = cmd_args_get(&job->args, "o");
	const char		*serial = cmd_args_get(&job->args, "pile");
	enum archive_format	 af;
	struct archive		*ar;
	struct json		*o;
	char			*cause = NULL, *text = NULL;
	int			 n;

	if (fmt == NULL)
		return job_fail(job, EXIT_USAGE, _("'logs export' needs --format csv, jsonl "
		    "or ocmf"));
	if (strcmp(fmt, "csv") == 0)
		af = ARCHIVE_CSV;
	else if (strcmp(fmt, "jsonl") == 0)
		af = ARCHIVE_JSONL;
	else if (strcmp(fmt, "ocmf") == 0)
		af = ARCHIVE_OCMF;
	else
		return job_fail(job, EXIT_USAGE, _("unknown format '%s' (use csv, jsonl or "
		    "ocmf)"), fmt);
	/* A path pilecon will not write is bad input, said before any work. */
	if (path != NULL && out_file_check(path, &cause) != 0)
		return job_fail_cause(job, EXIT_USAGE, cause);
	if ((ar = job_archive(job)) == NULL)
		return JOB_ERROR;
	/* A pile the archive does not hold: say so, and write nothing. */
	if (logs_pile_held(job, ar, serial) != 1)
		return JOB_ERROR;
	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;
	if (path == NULL)
		text = export_to_memory(ar, serial, af, &n, &cause);
	else
		n = archive_export(ar, serial, af, path, &cause);
	if (n < 0)
		return job_fail_cause(job, n == OUT_FILE_REFUSED ? EXIT_USAGE : EXIT_FAILED,
		    cause);
	o = job_data(job);
	json_set_str(o, "format", fmt);
	json_set_int(o, "records", n);
	if (path != NULL) {
		json_set_str(o, "file", path);
		job_event(job, RESULT_OK, _("exported %d records to '%s'"), n, path);
	} else
		json_set(o, "text", json_str(text));
	free(text);
	return JOB_NORMAL;
}

static void
cmd_logs_export_render(const struct result *r, FILE *f)
{
	const char	*text = json_get_str(r->data, "text");

	if (text != NULL)
		fputs(text, f);
}
