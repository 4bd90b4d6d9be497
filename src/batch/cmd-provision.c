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
#include "archive/archive.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/provision.h"

static enum job_return	cmd_provision_step(struct job *);
static void		cmd_provision_render(const struct result *, FILE *);

const struct cmd_entry cmd_provision_entry = {
	.name = "provision",
	.args = "FILE --dry-run --replace-keys --port=PORT --baud=BAUD --json",
	.usage = "FILE.yaml [--dry-run] [--replace-keys] [--port PORT] [--baud BAUD] [--json]",
	.help = N_("provision the piles of a bus from a YAML file (pilecon-provision(5)): " "read each, print the plan, apply, verify; --dry-run stops after the plan; --replace-keys lets a public_key replace the one pinned in the archive"),
	.step = cmd_provision_step,
	.render = cmd_provision_render,
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

/* 1 when the item changes the pile or the archive's key pins. */
static int
prov_item_shows(const struct prov_item *it)
{
	return prov_item_changes(it) || it->want->key == PROV_KEY_NEW ||
	    it->want->key == PROV_KEY_REPLACE;
}

/* public_key: what happens to the pin, and a warning when the pile shows
 * another key (its records would be quarantined) or does not sign. */
static void
prov_print_key(FILE *o, const struct prov_item *it)
{
	const struct prov_pile	*want = it->want;

	if (!want->has_pubkey)
		return;
	switch (want->key) {
	case PROV_KEY_NONE:
	case PROV_KEY_SAME:
		break;
	case PROV_KEY_NEW:
		fprintf(o, _("  %-15spin the given key in the archive for %s\n"),
		    "public_key", text_show(want->serial));
		break;
	case PROV_KEY_REPLACE:
		fprintf(o, _("  %-15sreplace the key pinned in the archive for %s "
		    "(--replace-keys)\n"), "public_key", text_show(want->serial));
		break;
	}
	if (it->key_pile == PROV_KEY_PILE_DIFFERS)
		fprintf(o, _("  %-15swarning: the pile shows another key: its records "
		    "will be quarantined on pull\n"), "public_key");
	else if (it->key_pile == PROV_KEY_PILE_UNSIGNED)
		fprintf(o, _("  %-15swarning: the pile does not sign its records\n"),
		    "public_key");
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
			    text_show(it->id.serial), it->addr, it->why);
		else if (it->addr > 0)
			fprintf(o, _("pile at address %d: cannot read: %s\n"), it->addr,
			    it->why);
		else
			fprintf(o, _("pile '%s': %s\n"), text_show(want->serial), text_show(it->why));
		return;
	}
	if (!prov_item_shows(it)) {
		fprintf(o, _("pile %s at address %d: no changes\n"), text_show(it->id.serial),
		    it->addr);
		prov_print_key(o, it);
		return;
	}
	fprintf(o, _("pile %s at address %d:\n"), text_show(it->id.serial), it->addr);
	prov_print_key(o, it);
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
	if (want->custody)
		fprintf(o, _("  %-15spull the records, then hand them into custody\n"),
		    "custody");
	/* Already a sentence that says what to do; no new message. */
	if (!it->has_key && it->key_cause != NULL)
		fprintf(o, "  %s\n", it->key_cause);
}

/* What a run did to the pile, section by section (the file's keys). */
static void
prov_json_secs(struct json *o, const struct prov_item *it)
{
	struct json	*applied, *unverified, *not_applied;
	int		 k;

	if (it->interrupted)
		json_set_bool(o, "interrupted", 1);
	applied = json_set(o, "applied", json_array());
	unverified = json_set(o, "unverified", json_array());
	not_applied = json_set(o, "not_applied", json_array());
	for (k = 0; k < PROV_NSECS; k++) {
		switch (it->sec[k]) {
		case PROV_SEC_UNCHANGED:
			break;
		case PROV_SEC_APPLIED:
			json_push(applied, json_str(prov_sec_name(k)));
			break;
		case PROV_SEC_WRITTEN:
			json_push(unverified, json_str(prov_sec_name(k)));
			break;
		case PROV_SEC_PLANNED:
		case PROV_SEC_FAILED:
			json_push(not_applied, json_str(prov_sec_name(k)));
			break;
		}
	}
}

/* The sections of the item in state st, "a, b" (malloc'ed), or NULL. */
static char *
prov_secs_in(const struct prov_item *it, enum prov_sec_state st)
{
	char	*list = NULL, *more;
	int	 k;

	for (k = 0; k < PROV_NSECS; k++) {
		if (it->sec[k] != st)
			continue;
		if (list == NULL)
			list = xstrdup(_(prov_sec_name(k)));
		else {
			more = xasprintf("%s, %s", list, _(prov_sec_name(k)));
			free(list);
			list = more;
		}
	}
	return list;
}

/* Appends to the item's why what was applied and what was not: a cancel
 * or a failure in the middle of a pile leaves part of it applied. */
static void
prov_why_secs(struct prov_item *it)
{
	char	*applied, *written, *planned, *why;

	applied = prov_secs_in(it, PROV_SEC_APPLIED);
	written = prov_secs_in(it, PROV_SEC_WRITTEN);
	planned = prov_secs_in(it, PROV_SEC_PLANNED);
	if (applied != NULL) {
		why = xasprintf(_("%s; applied: %s"), it->why, applied);
		free(it->why);
		it->why = why;
	}
	if (written != NULL) {
		why = xasprintf(_("%s; written, not read back: %s"), it->why, written);
		free(it->why);
		it->why = why;
	}
	if (planned != NULL) {
		why = xasprintf(_("%s; not applied: %s"), it->why, planned);
		free(it->why);
		it->why = why;
	}
	free(applied);
	free(written);
	free(planned);
}

static struct json *
prov_json_item(const struct prov_item *it, int dry_run)
{
	const struct wlsync_plan	*w = &it->wl;
	struct json			*o = json_object(), *x;

	json_set_int(o, "address", it->addr);
	json_set_str(o, "serial", it->have_id ? it->id.serial : it->want->serial);
	json_set_bool(o, "changes", !it->failed && prov_item_shows(it));
	if (it->want->has_pubkey) {
		x = json_set(o, "public_key", json_object());
		json_set_str(x, "archive", prov_key_token(it->want->key));
		json_set_str(x, "pile", prov_key_pile_token(it->key_pile));
	}
	if (!it->failed && it->wl_planned) {
		x = json_set(o, "whitelist", json_object());
		json_set_str(x, "mode", wlsync_mode_str(w->mode));
		json_set_int(x, "add", (int64_t)w->nadd);
		json_set_int(x, "remove", (int64_t)w->nremove);
		json_set_int(x, "change", (int64_t)w->nchange);
		json_set_int(x, "commands", (int64_t)w->ncommands);
		json_set_int(x, "version_before", w->pile.version);
		json_set_int(x, "version", w->new_version);
		json_set_int(x, "count", (int64_t)w->nwant);
		json_set_int(x, "resent", (int64_t)it->wl_resent);
	}
	if (!it->failed && it->set_change) {
		x = json_set(o, "offline_auth", json_object());
		json_set_int(x, "offline_charging", it->set_after.offline_charging);
		json_set_str(x, "unknown_card", prov_policy(it->set_after.unknown_card));
		json_set_str(x, "expired_card", prov_policy(it->set_after.expired_card));
		json_set_int(x, "offline_max_wh", it->set_after.offline_max_wh);
	}
	if (!it->failed && it->tariff_change) {
		x = json_set(o, "offline_tariff", json_object());
		json_set_int(x, "version_before", it->tariff_before.version);
		json_set_int(x, "version", it->want->tariff.version);
	}
	if (!it->failed && it->want->clock_sync) {
		x = json_set(o, "clock", json_object());
		json_set_int(x, "drift_s", it->drift_s);
		json_set_bool(x, "set", it->clock_change);
	}
	if (!it->failed && it->force_change) {
		x = json_set(o, "force_offline", json_object());
		json_set_bool(x, "on", it->want->force_on);
		json_set_int(x, "for_s", it->want->force_for_s);
	}
	if (it->custody_ran) {
		x = json_set(o, "custody", json_object());
		json_set_int(x, "pulled", it->custody_pulled);
		json_set_int(x, "first_seq", it->custody_first);
		json_set_int(x, "last_seq", it->custody_last);
		json_set_int(x, "count", it->custody_count);
	}
	if (!dry_run)
		prov_json_secs(o, it);
	json_set_str(o, "result", it->failed ? "failed" : dry_run ? "planned" :
	    it->ok ? "ok" : "failed");
	json_set_int(o, "writes", it->writes);
	if (it->failed)
		json_set_str(o, "why", it->why);
	return o;
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
	for (i = 0; i < run->nitems; i++) {
		it = &run->items[i];
		if (it->want->key == PROV_KEY_NEW)
			fprintf(o, _("public_key: %s: pinned in the archive\n"),
			    text_show(it->want->serial));
		else if (it->want->key == PROV_KEY_REPLACE)
			fprintf(o, _("public_key: %s: replaced the key pinned in the "
			    "archive\n"), text_show(it->want->serial));
	}
	for (i = 0; i < run->nitems; i++) {
		it = &run->items[i];
		if (!it->custody_ran || !it->ok)
			continue;
		if (it->custody_count == 0)
			fprintf(o, _("custody: %s: pulled %" PRIu32 " new records; every "
			    "record it holds was in custody already\n"), text_show(it->id.serial),
			    it->custody_pulled);
		else
			fprintf(o, _("custody: %s: pulled %" PRIu32 " new records, handed "
			    "%" PRIu32 "..%" PRIu32 " into custody (%" PRIu32 " records)\n"),
			    text_show(it->id.serial), it->custody_pulled, it->custody_first,
			    it->custody_last, it->custody_count);
	}
}

/* The bus the file names: the command line, then the file's bus, then the
 * global options. The console's (or a sharing console's) line is used as it
 * is, and only when it is the one asked for. 0, or JOB_ERROR's exit. */
static int
prov_open_bus(struct job *job, const struct prov_file *pf, struct pile_bus **bus)
{
	struct cmd_ctx		*ctx = job->ctx;
	const char		*port = cmd_args_get(&job->args, "port");
	const char		*baud = cmd_args_get(&job->args, "baud");
	struct pile_bus_opts	 bo;
	unsigned long		 b = 0;
	char			*end, *cause = NULL;
	int			 exit;

	if (baud != NULL) {
		errno = 0;
		b = strtoul(baud, &end, 10);
		if (*baud < '0' || *baud > '9' || *end != '\0' || errno != 0 ||
		    b < 1200 || b > 4000000)
			return job_fail(job, EXIT_USAGE, _("bad value '%s' for --baud: "
			    "expected a baud rate like 9600 or 115200"), baud);
	} else
		b = pf->baud;
	if (port == NULL)
		port = pf->port;
	if (ctx->link != NULL) {
		if ((port != NULL && (ctx->opts.port == NULL ||
		    strcmp(port, ctx->opts.port) != 0)) ||
		    (b != 0 && b != link_params(ctx->link)->baud))
			return job_fail(job, EXIT_USAGE, _("'%s' names the bus %s at %lu "
			    "baud, and this one is '%s' at %u: run it where nothing else "
			    "has the port open"), pf->path, port != NULL ? port :
			    ctx->opts.port, b != 0 ? b : (unsigned long)ctx->opts.baud,
			    link_name(ctx->link), link_params(ctx->link)->baud);
	} else {
		if (port != NULL) {
			free(ctx->opts.port);
			ctx->opts.port = xstrdup(port);
		}
		if (b != 0)
			ctx->opts.baud = (unsigned)b;
		if (pf->parity != 0)
			ctx->opts.parity = pf->parity;
		if (pf->stop_bits != 0)
			ctx->opts.stop_bits = pf->stop_bits;
		if (cmd_link_open(ctx, &exit, &cause) == NULL)
			return job_fail_cause(job, exit, cause);
	}
	memset(&bo, 0, sizeof bo);
	bo.timeout_ms = ctx->opts.timeout_ms > 0 ? ctx->opts.timeout_ms : 0;
	bo.retries = ctx->opts.retries >= 0 ? ctx->opts.retries : 2;
	bo.no_fc23 = ctx->opts.no_fc23;
	*bus = cmd_bus_new(ctx, &bo);
	return 0;
}

/*
 * Check the whole file, look for the piles given by serial and read and
 * plan each, then (unless --dry-run) stage the lists that go by broadcast,
 * apply pile by pile and end the write sessions: a transaction a turn, so
 * the console keeps answering. A cancel before the first write writes
 * nothing; during the apply it stops before the next write (a write begun
 * is finished) and the result says per pile what was applied and what
 * was not.
 */
enum { PROV_PARSE, PROV_FIND, PROV_PLAN, PROV_STAGE, PROV_APPLY, PROV_CLOSE };

struct prov_job {
	struct prov_file	 pf;
	int			 parsed;
	struct prov_run		 run;
	int			 planned;
	struct pile_bus		*bus;
	struct pile		*anchor;	/* the job's turn on the bus */
	size_t			 i, at;
	int			 staging;
	int			 dry_run;
	int			 refused;	/* a list too big: nothing applied */
};

static void
prov_job_free(void *p)
{
	struct prov_job	*pj = p;

	if (pj->planned)
		prov_run_free(&pj->run);
	pile_free(pj->anchor);
	pile_bus_free(pj->bus);
	if (pj->parsed)
		prov_file_free(&pj->pf);
	free(pj);
}

/* public_key: compared with the archive's pins before the bus is opened;
 * a conflict refuses the whole file, as an invalid one. 0, or JOB_ERROR's
 * exit. */
static int
prov_check_keys(struct job *job, struct prov_job *pj)
{
	struct archive	*ar;
	char		**errors, *cause = NULL;
	size_t		 i, nerrors, nkeys = 0;
	int		 rc;

	for (i = 0; i < pj->pf.npiles; i++)
		nkeys += pj->pf.piles[i].has_pubkey != 0;
	if (nkeys == 0)
		return 0;
	if ((ar = job_archive(job)) == NULL)
		return -1;
	rc = prov_keys_check(ar, &pj->pf, cmd_args_has(&job->args, "replace-keys"),
	    &errors, &nerrors, &cause);
	if (rc == -2) {
		job_fail_cause(job, EXIT_FAILED, cause);
		return -1;
	}
	if (rc == 0)
		return 0;
	for (i = 0; i < nerrors; i++)
		job_event(job, RESULT_ERROR, "%s", errors[i]);
	prov_errors_free(errors, nerrors);
	job_fail(job, EXIT_USAGE, ngettext("'%s': %zu public key differs from the one "
	    "pinned in the archive: nothing was written to any pile or the archive",
	    "'%s': %zu public keys differ from the ones pinned in the archive: nothing "
	    "was written to any pile or the archive", (unsigned long)nerrors),
	    job->args.pos[0], nerrors);
	return -1;
}

/* The keys go into the archive before the first write to a pile. */
static int
prov_pin_keys(struct job *job, struct prov_job *pj)
{
	struct archive	*ar;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < pj->pf.npiles; i++)
		if (pj->pf.piles[i].key == PROV_KEY_NEW ||
		    pj->pf.piles[i].key == PROV_KEY_REPLACE)
			break;
	if (i == pj->pf.npiles)
		return 0;
	if ((ar = job_archive(job)) == NULL)
		return -1;
	if (prov_keys_pin(ar, &pj->run, &cause) != 0) {
		job_fail(job, EXIT_FAILED, _("cannot pin the public keys of '%s': %s; nothing "
		    "was written to any pile"), job->args.pos[0], cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* The plan for people, shown before anything is applied. */
static void
prov_show_plan(struct job *job, struct prov_job *pj)
{
	struct prov_run	*run = &pj->run;
	char		*text = NULL;
	size_t		 i, nchange = 0, nfailed = 0, len = 0;
	FILE		*f;

	for (i = 0; i < run->nitems; i++) {
		if (run->items[i].failed)
			nfailed++;
		else if (prov_item_shows(&run->items[i]))
			nchange++;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		fatal_oom();
	fprintf(f, _("plan for %zu piles from '%s' on '%s' at %u baud:\n"),
	    run->nitems, job->args.pos[0], link_name(pile_bus_link(pj->bus)),
	    link_params(pile_bus_link(pj->bus))->baud);
	for (i = 0; i < run->nitems; i++)
		prov_print_item_plan(f, &run->items[i]);
	if (nchange == 0 && nfailed == 0)
		fprintf(f, _("plan: no changes\n"));
	else
		fprintf(f, _("plan: %zu to change, %zu unchanged, %zu failed\n"),
		    nchange, run->nitems - nchange - nfailed, nfailed);
	fclose(f);
	job_text(job, text);
	free(text);
}

/* The result: the JSON of every pile, and for people the table of results
 * as the command has always printed it. */
static enum job_return
prov_finish(struct job *job, struct prov_job *pj)
{
	struct prov_run	*run = &pj->run;
	struct prov_item *it;
	struct json	*o = job_data(job), *arr;
	const char	*path = job->args.pos[0];
	char		*text = NULL;
	size_t		 i, nchange = 0, nfailed = 0, nok = 0, len = 0;
	unsigned	 nwrites = 0;
	int		 plan = pj->dry_run || pj->refused;	/* nothing applied */
	int		 stopped = 0;	/* a pile left undone by a cancel */
	FILE		*f;

	for (i = 0; i < run->nitems; i++) {
		it = &run->items[i];
		if (it->failed)
			nfailed++;
		else if (prov_item_shows(it))
			nchange++;
		if (it->ok)
			nok++;
		if (plan)
			continue;
		if (!it->failed && !it->applied && it->why == NULL) {
			prov_item_unreached(it);
			it->why = xstrdup(_("interrupted before this pile"));
		} else if (it->interrupted && it->why == NULL)
			it->why = xstrdup(_("interrupted"));
		if (it->interrupted)
			stopped = 1;
		if (it->interrupted || (it->failed && it->applied))
			prov_why_secs(it);
		nwrites += it->writes;
	}
	json_set_str(o, "file", path);
	json_set_bool(o, "dry_run", pj->dry_run);
	if (pj->refused)
		json_set_bool(o, "refused", 1);
	if (stopped)
		json_set_bool(o, "interrupted", 1);
	arr = json_set(o, "piles", json_array());
	for (i = 0; i < run->nitems; i++)
		json_push(arr, prov_json_item(&run->items[i], plan));
	json_set_int(o, "changes", (int64_t)nchange);
	json_set_int(o, "ok", (int64_t)(plan ? 0 : nok));
	json_set_int(o, "failed", (int64_t)(plan ? nfailed : run->nitems - nok));

	if ((f = open_memstream(&text, &len)) == NULL)
		fatal_oom();
	if (!plan) {
		fputc('\n', f);
		prov_print_results(f, run);
		fprintf(f, _("provisioned %zu of %zu piles%s\n"), nok, run->nitems,
		    nok == run->nitems ? "" : _("; see 'failed' above for why"));
	}
	fclose(f);
	job->result.meta = json_object();
	json_set_str(job->result.meta, "text", text);
	free(text);

	/* A cancel during the sessions' close came too late to stop it. */
	if (stopped && nwrites == 0)
		return job_fail(job, EXIT_FAILED, _("interrupted: nothing was written"));
	if (stopped)
		return job_fail(job, EXIT_FAILED, _("interrupted after %u writes: the "
		    "table above says per pile what was applied and what was not"),
		    nwrites);
	if (plan ? nfailed != 0 : nok != run->nitems)
		return job_fail_said(job, EXIT_FAILED);
	return JOB_NORMAL;
}

/* Piles whose list in the file exceeds what they hold. */
static size_t
prov_too_big(const struct prov_run *run)
{
	size_t	i, n = 0;

	for (i = 0; i < run->nitems; i++)
		if (run->items[i].failed && run->items[i].too_big)
			n++;
	return n;
}

/* A file that asks a pile to hold more cards than it can is bad input, as
 * a file that does not parse: the whole run is refused before any write
 * (the plan above says which piles and by how much), exit 2. */
static enum job_return
prov_refuse_too_big(struct job *job, struct prov_job *pj)
{
	size_t	n = prov_too_big(&pj->run);

	pj->refused = 1;
	prov_finish(job, pj);	/* the result's JSON, each pile's why */
	return job_fail(job, EXIT_USAGE, ngettext("'%s' gives %zu pile a whitelist "
	    "bigger than it holds: nothing was written to any pile", "'%s' gives "
	    "%zu piles a whitelist bigger than they hold: nothing was written to "
	    "any pile", (unsigned long)n), job->args.pos[0], n);
}

static enum job_return
cmd_provision_step(struct job *job)
{
	struct prov_job	*pj = job->data;
	struct prov_item *it;
	const char	*path = job->args.pos[0], *keys = job->ctx->opts.keys_file;
	char		**errors;
	size_t		 nerrors, i;

	switch (job->state) {
	case PROV_PARSE:
		job->data = pj = xcalloc(1, sizeof *pj);
		job->free_data = prov_job_free;
		pj->dry_run = cmd_args_has(&job->args, "dry-run");
		pj->parsed = 1;
		if (prov_parse(path, &pj->pf, &errors, &nerrors) != 0) {
			for (i = 0; i < nerrors; i++)
				job_event(job, RESULT_ERROR, "%s", errors[i]);
			prov_errors_free(errors, nerrors);
			return job_fail(job, EXIT_USAGE, ngettext("'%s' is invalid (%zu "
			    "error): nothing was written to any pile", "'%s' is invalid "
			    "(%zu errors): nothing was written to any pile",
			    (unsigned long)nerrors), path, nerrors);
		}
		if (prov_check_keys(job, pj) != 0)
			return JOB_ERROR;
		if (prov_open_bus(job, &pj->pf, &pj->bus) != 0)
			return JOB_ERROR;
		pj->anchor = pile_new(pj->bus, 1);
		job->pile = pj->anchor;
		if (job->ctx->progress)
			job_event(job, RESULT_INFO, _("reading %zu piles on '%s' at %u "
			    "baud..."), pj->pf.npiles, link_name(pile_bus_link(pj->bus)),
			    link_params(pile_bus_link(pj->bus))->baud);
		prov_plan_start(&pj->pf, &pj->run);
		pj->planned = 1;
		job->state = PROV_FIND;
		return job_yield(job);
	case PROV_FIND:
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		if (prov_find_step(job, pj->bus, &pj->run) == JOB_WAIT)
			return JOB_WAIT;
		job->pile = pj->anchor;
		job_progress_start(job, _("piles read"), pj->run.nitems);
		job->state = PROV_PLAN;
		return job_yield(job);
	case PROV_PLAN:
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: nothing was "
			    "written"));
		if (pj->i < pj->run.nitems) {
			if (prov_plan_step(job, pj->bus, &pj->run.items[pj->i],
			    keys) == JOB_WAIT)
				return JOB_WAIT;
			job->pile = pj->anchor;
			job_progress(job, ++pj->i, 0);
			return job_yield(job);
		}
		prov_show_plan(job, pj);
		if (prov_too_big(&pj->run) > 0)
			return prov_refuse_too_big(job, pj);
		if (pj->dry_run)
			return prov_finish(job, pj);
		job->state = PROV_STAGE;
		return job_yield(job);
	case PROV_STAGE:
		if (!pj->staging) {
			if (job_cancelled(job))
				return job_fail(job, EXIT_FAILED, _("interrupted: nothing "
				    "was written"));
			if (prov_pin_keys(job, pj) != 0)
				return JOB_ERROR;
			pj->staging = 1;
		}
		job->pile = pj->anchor;
		if (prov_stage_step(job, pj->bus, &pj->run, keys) == JOB_WAIT)
			return JOB_WAIT;
		pj->i = 0;
		job_progress_start(job, _("piles applied"), pj->run.nitems);
		job->state = PROV_APPLY;
		return job_yield(job);
	case PROV_APPLY:
		it = pj->i < pj->run.nitems ? &pj->run.items[pj->i] : NULL;
		if (it == NULL || (job_cancelled(job) && !it->applied)) {
			pj->at = 0;
			job->state = PROV_CLOSE;
			return job_yield(job);
		}
		if (!it->applied && job->ctx->progress && !it->failed &&
		    prov_item_changes(it))
			job_event(job, RESULT_INFO, _("applying %s at address %d "
			    "(%zu/%zu)..."), it->id.serial, it->addr, pj->i + 1,
			    pj->run.nitems);
		if (prov_apply_step(job, it) == JOB_WAIT)
			return JOB_WAIT;
		job->pile = pj->anchor;
		job_progress(job, ++pj->i, 0);
		return job_yield(job);
	case PROV_CLOSE:
		/* Nobody rides on our sessions after us, cancelled or not. */
		if (prov_close_step(job, &pj->run, &pj->at) == JOB_WAIT)
			return JOB_WAIT;
		job->pile = pj->anchor;
		return prov_finish(job, pj);
	}
	return job_fail(job, EXIT_FAILED, _("failed"));
}

static void
cmd_provision_render(const struct result *r, FILE *f)
{
	const char	*text = json_get_str(r->meta, "text");

	if (text != NULL)
		fputs(text, f);
}
