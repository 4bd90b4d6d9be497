/* cmd-whitelist-import.c - `pilecon whitelist import FILE.csv`: the whole
 * file is checked before anything is written; then upserts of 4 entries
 * per command (one whitelist command block holds 4). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/wlcsv.h"

static int	cmd_whitelist_import_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_whitelist_import_entry = {
	.name = "whitelist import",
	.args = "FILE",
	.usage = "FILE.csv",
	.exec = cmd_whitelist_import_exec,
	.help = N_("add or replace the cards of a CSV file (uid,status,expires,holder); " "a bad line imports nothing"),
};

static int
cmd_whitelist_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char		*path = ctx->args->pos[0];
	struct proto_wl_entry	*e = NULL;
	struct pile_wl_status	 st;
	struct pile		*pile;
	struct progress		 pr;
	FILE			*f;
	char			*cause = NULL;
	size_t			 n, done = 0, k;
	int			 rc = 0;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		fprintf(ctx->err, _("pilecon: cannot open '%s': %s\n"), path, strerror(errno));
		return EXIT_USAGE;
	}
	rc = wlcsv_parse(f, strcmp(path, "-") == 0 ? "<stdin>" : path, &e, &n, &cause);
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(ctx->err, "pilecon: %s\n", cause);
		fprintf(ctx->err, _("pilecon: nothing imported\n"));
		free(cause);
		return EXIT_USAGE;
	}
	if ((pile = cmd_pile(ctx)) == NULL) {
		free(e);
		return cmd_exit_code(ctx->pile_rc);
	}
	cmd_catch_signals();
	progress_start(&pr, ctx, _("cards"), n);
	while (done < n && !cmd_interrupted) {
		k = n - done < PROTO_WL_WINDOW_ENTRIES ? n - done : PROTO_WL_WINDOW_ENTRIES;
		if ((rc = pile_wl_command(pile, PROTO_WL_UPSERT, 0, e + done, (int)k,
		    &cause)) != 0)
			break;
		done += k;
		progress_update(&pr, done, done * PROTO_WL_ENTRY_REGS * 2);
	}
	progress_end(&pr);
	cmd_restore_signals();
	free(e);
	if (rc != 0) {
		fprintf(ctx->err, _("pilecon: import stopped after %zu of %zu cards\n"), done, n);
		return cmd_fail(ctx, rc, cause);
	}
	if (cmd_interrupted) {
		fprintf(ctx->err, _("pilecon: interrupted: %zu of %zu cards imported\n"), done, n);
		return EXIT_FAILED;
	}
	if ((rc = pile_wl_status(pile, &st, &cause)) != 0)
		return cmd_fail(ctx, rc, cause);
	if (ctx->opts.json) {
		fprintf(ctx->out, "{\"serial\":");
		batch_json_str(ctx->out, ctx->identity.serial);
		fprintf(ctx->out, ",\"imported\":%zu,\"version\":%u,\"count\":%u}\n", done,
		    st.version, st.count);
	} else
		fprintf(ctx->out, _("imported %zu cards into the whitelist of %s; version %u, "
		    "%u entries\n"), done, ctx->identity.serial, st.version, st.count);
	return EXIT_OK;
}
