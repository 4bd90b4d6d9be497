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
#include "batch/wlcsv.h"

static int	cmd_whitelist_export_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_whitelist_export_entry = {
	.name = "whitelist export",
	.args = "-o=FILE",
	.usage = "[-o FILE]",
	.exec = cmd_whitelist_export_exec,
	.help = N_("write the pile's whitelist as CSV to FILE (atomically) or to standard output"),
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

static int
cmd_whitelist_export_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char		*path = cmd_args_get(ctx->args, "o");
	struct proto_wl_entry	*e = NULL;
	struct pile		*pile;
	uint32_t		 version;
	size_t			 n;
	char			*cause = NULL;
	int			 rc;

	/* A path pilecon will not write is bad input: said before the pile
	 * is read. */
	if (path != NULL && out_file_check(path, &cause) != 0)
		return cmd_fail(ctx, EXIT_USAGE, cause);
	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = wl_read_all(pile, &e, &n, &version, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (path == NULL || strcmp(path, "-") == 0)
		rc = wlcsv_write(ctx->out, e, n, &cause);
	else
		rc = export_atomic(path, e, n, &cause);
	free(e);
	if (rc != 0)
		return cmd_fail(ctx, rc == OUT_FILE_REFUSED ? EXIT_USAGE : EXIT_FAILED, cause);
	if (path != NULL && strcmp(path, "-") != 0)
		fprintf(ctx->err, _("wrote %zu cards (whitelist version %u of %s) to '%s'\n"), n,
		    version, ctx->identity.serial, path);
	return EXIT_OK;
}
