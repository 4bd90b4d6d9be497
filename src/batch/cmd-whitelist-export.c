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

/* Temp file in the same folder, fsync, rename: a reader never sees half a
 * list, and a failure leaves the old file as it was. */
static int
export_atomic(const char *path, const struct proto_wl_entry *e, size_t n, char **cause)
{
	char	*tmp = xasprintf("%s.tmpXXXXXX", path);
	FILE	*f;
	int	 fd, rc = -1;

	if ((fd = mkstemp(tmp)) == -1) {
		set_cause(cause, -1, _("cannot create a file next to '%s': %s"), path,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		set_cause(cause, -1, _("cannot write '%s': %s"), tmp, strerror(errno));
		close(fd);
		goto out;
	}
	if (wlcsv_write(f, e, n, cause) != 0) {
		fclose(f);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f)) {
		set_cause(cause, -1, _("cannot write '%s': %s"), path, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		set_cause(cause, -1, _("cannot write '%s': %s"), path, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		set_cause(cause, -1, _("cannot rename '%s' to '%s': %s"), tmp, path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		unlink(tmp);
	free(tmp);
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
		return cmd_fail(ctx, EXIT_FAILED, cause);
	if (path != NULL && strcmp(path, "-") != 0)
		fprintf(ctx->err, _("wrote %zu cards (whitelist version %u of %s) to '%s'\n"), n,
		    version, ctx->identity.serial, path);
	return EXIT_OK;
}
