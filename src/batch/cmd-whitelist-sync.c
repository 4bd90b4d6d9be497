/* cmd-whitelist-sync.c - `pilecon whitelist sync FILE.csv`: make one pile's
 * list exactly the file's, writing only the changes (wlsync.c). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/wlcsv.h"
#include "batch/wlsync.h"

static int	cmd_whitelist_sync_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_whitelist_sync_entry = {
	.name = "whitelist sync",
	.args = "FILE --version=VERSION --full --dry-run --json",
	.usage = "FILE.csv [--version N] [--full] [--dry-run] [--json]",
	.exec = cmd_whitelist_sync_exec,
	.help = N_("make the pile's whitelist exactly the CSV file's, writing only the " "changes (cards not in the file are removed)"),
};

static void
sync_progress(void *arg, size_t done, size_t total)
{
	progress_update(arg, done, done * 2 * (4 + PROTO_WL_WINDOW_ENTRIES *
	    PROTO_WL_ENTRY_REGS));
	(void)total;
}

static void
sync_print_plan(struct cmd_ctx *ctx, const struct wlsync_plan *pl, int applied)
{
	const struct proto_identity	*id = &ctx->identity;
	FILE				*o = ctx->out;

	if (ctx->opts.json) {
		fprintf(o, "{\"serial\":");
		json_write_str(o, id->serial);
		fprintf(o, ",\"address\":%d,\"mode\":\"%s\",\"why\":", ctx->opts.addr,
		    wlsync_mode_str(pl->mode));
		json_write_str(o, pl->why);
		fprintf(o, ",\"add\":%zu,\"change\":%zu,\"remove\":%zu,\"commands\":%zu,"
		    "\"read\":%zu,\"buckets\":%zu,\"version_before\":%" PRIu32 ",\"version\":%" PRIu32
		    ",\"count\":%zu,\"digest\":\"%08" PRIX32 "\",\"applied\":%s}\n",
		    pl->nadd, pl->nchange, pl->nremove, pl->ncommands, pl->nread, pl->nbuckets,
		    pl->pile.version, pl->new_version, pl->nwant, pl->want_digest,
		    applied ? "true" : "false");
		return;
	}
	if (!wlsync_plan_changes(pl)) {
		fprintf(o, _("pile %s at address %d: whitelist v%" PRIu32 ", %zu "
		    "cards: no changes (%s)\n"), id->serial, ctx->opts.addr,
		    pl->pile.version, pl->nwant, _(pl->why));
		return;
	}
	fprintf(o, _("pile %s at address %d: whitelist +%zu -%zu ~%zu, v%" PRIu32
	    " -> v%" PRIu32 ", %zu command%s (%s: %s)\n"), id->serial,
	    ctx->opts.addr, pl->nadd, pl->nremove, pl->nchange, pl->pile.version,
	    pl->new_version, pl->ncommands, pl->ncommands == 1 ? "" : "s",
	    wlsync_mode_str(pl->mode), _(pl->why));
	if (applied)
		fprintf(o, _("synced: %zu cards, digest %08" PRIX32 ", version %" PRIu32
		    "\n"), pl->nwant, pl->want_digest, pl->new_version);
}

static int
sync_version(struct cmd_ctx *ctx, uint32_t *version)
{
	const char	*s = cmd_args_get(ctx->args, "version");
	char		*end;
	unsigned long	 v;

	*version = 0;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v == 0 ||
	    v > UINT32_MAX) {
		fprintf(ctx->err, _("pilecon: bad value '%s' for --version: expected a "
		    "number from 1 to %lu\n"), s, (unsigned long)UINT32_MAX);
		return -1;
	}
	*version = (uint32_t)v;
	return 0;
}

static int
cmd_whitelist_sync_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char		*path = ctx->args->pos[0];
	struct proto_wl_entry	*e = NULL;
	struct wlsync_plan	 pl;
	struct pile		*pile;
	struct progress		 pr;
	FILE			*f;
	char			*cause = NULL;
	uint32_t		 version;
	size_t			 n;
	int			 rc;

	(void)argc;
	(void)argv;
	if (sync_version(ctx, &version) != 0)
		return EXIT_USAGE;
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		fprintf(ctx->err, _("pilecon: cannot open '%s': %s\n"), path,
		    strerror(errno));
		return EXIT_USAGE;
	}
	rc = wlcsv_parse(f, f == stdin ? "<stdin>" : path, &e, &n, &cause);
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(ctx->err, "pilecon: %s\n", text_show(cause));
		fprintf(ctx->err, _("pilecon: nothing written\n"));
		free(cause);
		return EXIT_USAGE;
	}
	if ((pile = cmd_pile(ctx)) == NULL) {
		free(e);
		return cmd_exit_code(ctx->pile_rc);
	}
	rc = wlsync_plan(pile, &ctx->identity, e, n, version,
	    cmd_args_has(ctx->args, "full"), &pl, &cause);
	free(e);
	if (rc != 0) {
		wlsync_plan_free(&pl);
		return cmd_fail(ctx, rc, cause);
	}
	if (cmd_args_has(ctx->args, "dry-run")) {
		sync_print_plan(ctx, &pl, 0);
		wlsync_plan_free(&pl);
		return EXIT_OK;
	}
	cmd_catch_signals();
	progress_start(&pr, ctx, _("commands"), pl.ncommands);
	rc = wlsync_apply(pile, &ctx->identity, &pl, sync_progress, &pr, &cause);
	progress_end(&pr);
	cmd_restore_signals();
	if (rc != 0) {
		wlsync_plan_free(&pl);
		return cmd_fail(ctx, rc, cause);
	}
	sync_print_plan(ctx, &pl, 1);
	wlsync_plan_free(&pl);
	return EXIT_OK;
}
