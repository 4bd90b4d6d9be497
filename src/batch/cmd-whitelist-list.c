/* cmd-whitelist-list.c - `pilecon whitelist list`: every entry of the pile's
 * local card list with its version, read in windows of 4. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"

static int	cmd_whitelist_list_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_whitelist_list_entry = {
	.name = "whitelist list",
	.alias = "whitelist ls",
	.args = "--json",
	.usage = "[--json]",
	.exec = cmd_whitelist_list_exec,
	.help = N_("list the pile's card whitelist with its version"),
};

static const char *
wl_status_str(unsigned status)
{
	return status == PROTO_WL_BLOCKED ? "blocked" :
	    status == PROTO_WL_ACCEPTED ? "accepted" : "?";
}

/* One row of the list, padded by display width (Chinese labels). */
static void
wl_row(FILE *f, const char *uid, const char *status, const char *expires, const char *holder)
{
	put_cell(f, uid, 20);
	fputs("  ", f);
	put_cell(f, status, 8);
	fputs("  ", f);
	put_cell(f, expires, 19);
	fprintf(f, "  %s\n", holder);
}

static int
cmd_whitelist_list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pile		*pile;
	struct proto_wl_entry	*e = NULL;
	size_t			 n, i;
	uint32_t		 version;
	char			*cause = NULL;
	int			 rc;

	if ((pile = cmd_pile(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	if ((rc = wl_read_all(pile, &e, &n, &version, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->opts.json) {
		fprintf(ctx->out, "{\"serial\":");
		batch_json_str(ctx->out, ctx->identity.serial);
		fprintf(ctx->out, ",\"version\":%u,\"count\":%zu,\"entries\":[", version, n);
		for (i = 0; i < n; i++) {
			fprintf(ctx->out, "%s{\"uid\":\"%s\",\"status\":\"%s\",\"expiry\":%u,"
			    "\"holder\":", i ? "," : "", e[i].uid, wl_status_str(e[i].status),
			    e[i].expiry);
			batch_json_str(ctx->out, e[i].holder);
			fputc('}', ctx->out);
		}
		fputs("]}\n", ctx->out);
	} else {
		fprintf(ctx->out, _("whitelist of %s: version %u, %zu entries\n"),
		    ctx->identity.serial, version, n);
		if (n > 0)
			wl_row(ctx->out, _("UID"), _("status"), _("expires"), _("holder"));
		for (i = 0; i < n; i++)
			wl_row(ctx->out, e[i].uid, _(wl_status_str(e[i].status)),
			    e[i].expiry ? batch_format_time(e[i].expiry) : _("never"),
			    e[i].holder);
	}
	free(e);
	return EXIT_OK;
}
