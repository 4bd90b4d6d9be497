/* cmd-logs-export.c - `pilecon logs export`: the archive as CSV or JSON
 * Lines for the operator's central system, written atomically. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"

static int	cmd_logs_export_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_logs_export_entry = {
	.name = "logs export",
	.args = "--format=FORMAT -o=FILE --pile=SERIAL",
	.usage = "--format csv|jsonl [-o FILE] [--pile SERIAL]",
	.exec = cmd_logs_export_exec,
	.help = N_("export the archived records as CSV or JSON Lines, atomically, to FILE or standard output"),
};

static int
cmd_logs_export_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char		*fmt = cmd_args_get(ctx->args, "format");
	const char		*path = cmd_args_get(ctx->args, "o");
	enum archive_format	 af;
	struct archive		*ar;
	char			*cause = NULL;
	int			 n;

	if (fmt == NULL) {
		fprintf(ctx->err, _("pilecon: 'logs export' needs --format csv or --format jsonl\n"));
		return EXIT_USAGE;
	}
	if (strcmp(fmt, "csv") == 0)
		af = ARCHIVE_CSV;
	else if (strcmp(fmt, "jsonl") == 0)
		af = ARCHIVE_JSONL;
	else {
		fprintf(ctx->err, _("pilecon: unknown format '%s' (use csv or jsonl)\n"), fmt);
		return EXIT_USAGE;
	}
	if ((ar = cmd_archive(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if (path == NULL)
		path = "-";
	if (strcmp(path, "-") == 0)
		fflush(ctx->out);
	if ((n = archive_export(ar, cmd_args_get(ctx->args, "pile"), af, path, &cause)) < 0)
		return cmd_fail(ctx, EXIT_FAILED, cause);
	if (strcmp(path, "-") != 0)
		fprintf(ctx->err, _("exported %d records to '%s'\n"), n, path);
	return EXIT_OK;
}
