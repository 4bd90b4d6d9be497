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
import_uid_cmp(const void *a, const void *b)
{
	return strcmp(((const struct proto_wl_entry *)a)->uid,
	    ((const struct proto_wl_entry *)b)->uid);
}

/* How many of e[0..n) the pile's list does not hold yet; reads the list
 * only when the import might not fit. -1 with *cause. */
static int
import_new_cards(struct pile *pile, const struct proto_wl_entry *e, size_t n,
    uint32_t count, uint32_t capacity, size_t *fresh, char **cause)
{
	struct proto_wl_entry	*have = NULL;
	size_t			 nhave, i;
	uint32_t		 version;
	int			 rc;

	*fresh = n;
	if (capacity == 0 || (uint64_t)count + n <= capacity)
		return 0;
	if ((rc = wl_read_all(pile, &have, &nhave, &version, cause)) != 0)
		return rc;
	/* The pile's list sorted, each card of the file looked up in it:
	 * O((n + m) log m). */
	qsort(have, nhave, sizeof *have, import_uid_cmp);
	for (i = 0; i < n; i++)
		if (bsearch(&e[i], have, nhave, sizeof *have, import_uid_cmp) != NULL)
			(*fresh)--;
	free(have);
	return 0;
}

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
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		fprintf(ctx->err, _("pilecon: nothing imported\n"));
		free(cause);
		return EXIT_USAGE;
	}
	if ((pile = cmd_pile(ctx)) == NULL) {
		free(e);
		return cmd_exit_code(ctx->pile_rc);
	}
	/* One outcome: an import that cannot fit is refused before the first
	 * write (as 'whitelist sync --dry-run' says), not stopped when full. */
	if ((rc = pile_wl_status(pile, &st, &cause)) != 0 ||
	    (rc = import_new_cards(pile, e, n, st.count, ctx->identity.wl_capacity,
	    &done, &cause)) != 0) {
		free(e);
		return cmd_fail(ctx, rc, cause);
	}
	if (ctx->identity.wl_capacity != 0 &&
	    (uint64_t)st.count + done > ctx->identity.wl_capacity) {
		fprintf(ctx->err, _("pilecon: '%s' adds %zu new cards to the %u of %s, which "
		    "holds at most %u (identity.whitelist_capacity): out of storage; nothing "
		    "imported (remove cards first, or 'whitelist sync' to replace the list)\n"),
		    path, done, st.count, text_show(ctx->identity.serial),
		    ctx->identity.wl_capacity);
		free(e);
		return cmd_exit_code(PILE_E_REFUSED);
	}
	done = 0;
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
		json_write_str(ctx->out, ctx->identity.serial);
		fprintf(ctx->out, ",\"imported\":%zu,\"version\":%u,\"count\":%u}\n", done,
		    st.version, st.count);
	} else
		fprintf(ctx->out, _("imported %zu cards into the whitelist of %s; version %u, "
		    "%u entries\n"), done, ctx->identity.serial, st.version, st.count);
	return EXIT_OK;
}
