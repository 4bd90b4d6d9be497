/* cmd-provision.c - `pilecon provision FILE.yaml`: check the whole file, read
 * every pile and print the plan, then (unless --dry-run) apply pile by pile
 * and print a result table. Exit 0 only when every pile is as the file says. */
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
#include "batch/provision.h"

static int	cmd_provision_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_provision_entry = {
	.name = "provision",
	.args = "FILE --dry-run --port=PORT --baud=BAUD --json",
	.usage = "FILE.yaml [--dry-run] [--port PORT] [--baud BAUD] [--json]",
	.exec = cmd_provision_exec,
	.help = N_("provision the piles of a bus from a YAML file (pilecon-provision(5)): " "read each, print the plan, apply, verify; --dry-run stops after the plan"),
};

static const char *
prov_policy(unsigned v)
{
	return v ? "accept" : "refuse";
}

static void
prov_print_settings(FILE *o, const struct prov_item *it)
{
	const struct pile_settings	*a = &it->set_before, *b = &it->set_after;
	const char			*sep = "";

	fprintf(o, "  %-15s", "offline_auth");
	if (a->offline_charging != b->offline_charging) {
		fprintf(o, "%soffline_charging %s -> %s", sep, a->offline_charging ?
		    "true" : "false", b->offline_charging ? "true" : "false");
		sep = ", ";
	}
	if (a->unknown_card != b->unknown_card) {
		fprintf(o, "%sunknown_card %s -> %s", sep, prov_policy(a->unknown_card),
		    prov_policy(b->unknown_card));
		sep = ", ";
	}
	if (a->expired_card != b->expired_card) {
		fprintf(o, "%sexpired_card %s -> %s", sep, prov_policy(a->expired_card),
		    prov_policy(b->expired_card));
		sep = ", ";
	}
	if (a->offline_max_wh != b->offline_max_wh)
		fprintf(o, "%soffline_max_wh %" PRIu32 " -> %" PRIu32, sep,
		    a->offline_max_wh, b->offline_max_wh);
	fputc('\n', o);
}

static void
prov_print_item_plan(FILE *o, const struct prov_item *it)
{
	const struct wlsync_plan	*w = &it->wl;
	const struct prov_pile		*want = it->want;
	char				*d;

	if (it->failed) {
		if (it->have_id)
			fprintf(o, _("pile %s at address %d: cannot plan: %s\n"),
			    it->id.serial, it->addr, it->why);
		else if (it->addr > 0)
			fprintf(o, _("pile at address %d: cannot read: %s\n"), it->addr,
			    it->why);
		else
			fprintf(o, _("pile '%s': %s\n"), text_show(want->serial), text_show(it->why));
		return;
	}
	if (!prov_item_changes(it)) {
		fprintf(o, _("pile %s at address %d: no changes\n"), text_show(it->id.serial),
		    it->addr);
		return;
	}
	fprintf(o, _("pile %s at address %d:\n"), text_show(it->id.serial), it->addr);
	if (it->wl_planned && wlsync_plan_changes(w))
		fprintf(o, _("  %-15s+%zu -%zu ~%zu, v%" PRIu32 " -> v%" PRIu32 ", %zu "
		    "command%s (%s: %s)\n"), "whitelist", w->nadd, w->nremove,
		    w->nchange, w->pile.version, w->new_version, w->ncommands,
		    w->ncommands == 1 ? "" : "s", wlsync_mode_str(w->mode), _(w->why));
	if (it->set_change)
		prov_print_settings(o, it);
	if (it->tariff_change)
		fprintf(o, _("  %-15sv%" PRIu32 " -> v%" PRIu32 "%s\n"), "offline_tariff",
		    it->tariff_before.version, want->tariff.version,
		    it->tariff_before.version == want->tariff.version ?
		    _(" (same version, different prices or slots)") : "");
	if (it->clock_change)
		fprintf(o, _("  %-15sdrift %+" PRId64 " s -> set to this laptop's "
		    "time (UTC)\n"), "clock", it->drift_s);
	if (it->force_change) {
		if (want->force_on) {
			d = batch_format_duration(want->force_for_s);
			fprintf(o, _("  %-15s%s -> forced offline for %s\n"),
			    "force_offline", _(proto_link_str(it->live.link)), d);
			free(d);
		} else
			fprintf(o, _("  %-15sforced offline -> end it\n"),
			    "force_offline");
	}
	/* Already a sentence that says what to do; no new message. */
	if (!it->has_key && it->key_cause != NULL)
		fprintf(o, "  %s\n", it->key_cause);
}

static void
prov_json_item(FILE *o, const struct prov_item *it, int dry_run)
{
	const struct wlsync_plan	*w = &it->wl;

	fprintf(o, "{\"address\":%d,\"serial\":", it->addr);
	json_write_str(o, it->have_id ? it->id.serial : it->want->serial);
	fprintf(o, ",\"changes\":%s", !it->failed && prov_item_changes(it) ?
	    "true" : "false");
	if (!it->failed && it->wl_planned)
		fprintf(o, ",\"whitelist\":{\"mode\":\"%s\",\"add\":%zu,\"remove\":%zu,"
		    "\"change\":%zu,\"commands\":%zu,\"version_before\":%" PRIu32
		    ",\"version\":%" PRIu32 ",\"count\":%zu,\"resent\":%zu}",
		    wlsync_mode_str(w->mode), w->nadd, w->nremove, w->nchange,
		    w->ncommands, w->pile.version, w->new_version, w->nwant,
		    it->wl_resent);
	if (!it->failed && it->set_change)
		fprintf(o, ",\"offline_auth\":{\"offline_charging\":%u,\"unknown_card\":"
		    "\"%s\",\"expired_card\":\"%s\",\"offline_max_wh\":%" PRIu32 "}",
		    it->set_after.offline_charging, prov_policy(it->set_after.unknown_card),
		    prov_policy(it->set_after.expired_card), it->set_after.offline_max_wh);
	if (!it->failed && it->tariff_change)
		fprintf(o, ",\"offline_tariff\":{\"version_before\":%" PRIu32 ",\"version\":%"
		    PRIu32 "}", it->tariff_before.version, it->want->tariff.version);
	if (!it->failed && it->want->clock_sync)
		fprintf(o, ",\"clock\":{\"drift_s\":%" PRId64 ",\"set\":%s}", it->drift_s,
		    it->clock_change ? "true" : "false");
	if (!it->failed && it->force_change)
		fprintf(o, ",\"force_offline\":{\"on\":%s,\"for_s\":%" PRIu32 "}",
		    it->want->force_on ? "true" : "false", it->want->force_for_s);
	fprintf(o, ",\"result\":\"%s\",\"writes\":%u", it->failed ? "failed" :
	    dry_run ? "planned" : it->ok ? "ok" : "failed", it->writes);
	if (it->failed) {
		fprintf(o, ",\"why\":");
		json_write_str(o, it->why);
	}
	fputc('}', o);
}

static void
prov_print_results(FILE *o, const struct prov_run *run)
{
	const struct prov_item	*it;
	size_t			 i;

	fprintf(o, "%-8s %-16s %-7s %-7s %s\n", _("address"), _("serial"), _("result"),
	    _("writes"), _("time"));
	for (i = 0; i < run->nitems; i++) {
		it = &run->items[i];
		if (it->addr > 0)
			fprintf(o, "%-8d ", it->addr);
		else
			fprintf(o, "%-8s ", "-");
		fprintf(o, "%-16s %-7s %-7u ", it->have_id ? text_show(it->id.serial) :
		    it->want->serial[0] ? it->want->serial : "-", it->ok ? _("ok") :
		    _("failed"), it->writes);
		if (it->applied)
			fprintf(o, "%.2f s", it->seconds);
		else
			fprintf(o, "-");
		if (!it->ok)
			fprintf(o, "  %s", it->why ? it->why : "");
		fputc('\n', o);
	}
}

static int
prov_open_bus(struct cmd_ctx *ctx, const struct prov_file *pf, struct pile_bus **bus)
{
	const char		*port = cmd_args_get(ctx->args, "port");
	const char		*baud = cmd_args_get(ctx->args, "baud");
	struct pile_bus_opts	 bo;
	struct link		*link;
	char			*end;
	unsigned long		 b;

	/* The command line, then the file's bus, then the global options. */
	if (port != NULL || pf->port != NULL) {
		free(ctx->opts.port);
		ctx->opts.port = xstrdup(port != NULL ? port : pf->port);
	}
	if (baud != NULL) {
		errno = 0;
		b = strtoul(baud, &end, 10);
		if (*baud < '0' || *baud > '9' || *end != '\0' || errno != 0 ||
		    b < 1200 || b > 4000000) {
			fprintf(ctx->err, _("pilecon: bad value '%s' for --baud: expected "
			    "a baud rate like 9600 or 115200\n"), baud);
			return EXIT_USAGE;
		}
		ctx->opts.baud = (unsigned)b;
	} else if (pf->baud != 0)
		ctx->opts.baud = pf->baud;
	if (pf->parity != 0)
		ctx->opts.parity = pf->parity;
	if (pf->stop_bits != 0)
		ctx->opts.stop_bits = pf->stop_bits;
	if ((link = cmd_link(ctx)) == NULL)
		return cmd_exit_code(ctx->pile_rc);
	memset(&bo, 0, sizeof bo);
	bo.timeout_ms = ctx->opts.timeout_ms > 0 ? ctx->opts.timeout_ms : 0;
	bo.retries = ctx->opts.retries >= 0 ? ctx->opts.retries : 2;
	bo.no_fc23 = ctx->opts.no_fc23;
	*bus = cmd_bus_new(ctx, &bo);
	return 0;
}

static int
cmd_provision_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char		*path = ctx->args->pos[0];
	int			 dry_run = cmd_args_has(ctx->args, "dry-run");
	struct prov_file	 pf;
	struct prov_run		 run;
	struct pile_bus		*bus = NULL;
	struct prov_item	*it;
	FILE			*o = ctx->out;
	char			**errors;
	size_t			 nerrors, i, nchange = 0, nfailed = 0, nok = 0;
	int			 rc;

	(void)argc;
	(void)argv;
	if (prov_parse(path, &pf, &errors, &nerrors) != 0) {
		for (i = 0; i < nerrors; i++)
			fprintf(ctx->err, "pilecon: %s\n", text_show(errors[i]));
		fprintf(ctx->err, ngettext("pilecon: '%s' is invalid (%zu error): "
		    "nothing was written to any pile\n", "pilecon: '%s' is invalid "
		    "(%zu errors): nothing was written to any pile\n",
		    (unsigned long)nerrors), path, nerrors);
		prov_errors_free(errors, nerrors);
		prov_file_free(&pf);
		return EXIT_USAGE;
	}
	if ((rc = prov_open_bus(ctx, &pf, &bus)) != 0) {
		prov_file_free(&pf);
		return rc;
	}

	if (ctx->progress)
		fprintf(ctx->err, _("reading %zu piles on '%s' at %u baud...\n"),
		    pf.npiles, link_name(pile_bus_link(bus)), ctx->opts.baud);
	prov_plan(bus, &pf, ctx->opts.keys_file, &run);
	for (i = 0; i < run.nitems; i++) {
		if (run.items[i].failed)
			nfailed++;
		else if (prov_item_changes(&run.items[i]))
			nchange++;
	}
	if (!ctx->opts.json) {
		fprintf(o, _("plan for %zu piles from '%s' on '%s' at %u baud:\n"),
		    run.nitems, path, link_name(pile_bus_link(bus)), ctx->opts.baud);
		for (i = 0; i < run.nitems; i++)
			prov_print_item_plan(o, &run.items[i]);
		if (nchange == 0 && nfailed == 0)
			fprintf(o, _("plan: no changes\n"));
		else
			fprintf(o, _("plan: %zu to change, %zu unchanged, %zu failed\n"),
			    nchange, run.nitems - nchange - nfailed, nfailed);
		fflush(o);
	}
	if (!dry_run) {
		cmd_catch_signals();
		prov_stage(bus, &run, ctx->opts.keys_file);
		for (i = 0; i < run.nitems && !cmd_interrupted; i++) {
			it = &run.items[i];
			if (it->failed)
				continue;
			if (ctx->progress && prov_item_changes(it))
				fprintf(ctx->err, _("applying %s at address %d (%zu/%zu)...\n"),
				    it->id.serial, it->addr, i + 1, run.nitems);
			prov_apply(it, ctx->opts.keys_file);
		}
		for (; i < run.nitems; i++)
			if (!run.items[i].failed && !run.items[i].applied)
				run.items[i].why = xstrdup(_("interrupted before this pile"));
		cmd_restore_signals();
	}
	for (i = 0; i < run.nitems; i++)
		if (run.items[i].ok)
			nok++;

	if (ctx->opts.json) {
		fprintf(o, "{\"file\":");
		json_write_str(o, path);
		fprintf(o, ",\"dry_run\":%s,\"piles\":[", dry_run ? "true" : "false");
		for (i = 0; i < run.nitems; i++) {
			if (i > 0)
				fputc(',', o);
			prov_json_item(o, &run.items[i], dry_run);
		}
		fprintf(o, "],\"changes\":%zu,\"ok\":%zu,\"failed\":%zu}\n", nchange,
		    dry_run ? 0 : nok, dry_run ? nfailed : run.nitems - nok);
	} else if (!dry_run) {
		fputc('\n', o);
		prov_print_results(o, &run);
		fprintf(o, _("provisioned %zu of %zu piles%s\n"), nok, run.nitems,
		    nok == run.nitems ? "" : _("; see 'failed' above for why"));
	}
	rc = dry_run ? (nfailed == 0 ? EXIT_OK : EXIT_FAILED) :
	    (nok == run.nitems ? EXIT_OK : EXIT_FAILED);
	if (cmd_interrupted)
		rc = EXIT_FAILED;
	prov_run_free(&run);
	pile_bus_free(bus);
	prov_file_free(&pf);
	return rc;
}
