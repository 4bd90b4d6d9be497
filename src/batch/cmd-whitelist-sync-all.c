/* cmd-whitelist-sync-all.c - `pilecon whitelist sync --all FILE.csv`: the
 * file's list to every pile of the bus at once (wlsite.c): staged by
 * broadcast on 1.1 piles, committed and verified per pile, per-pile writes
 * on 1.0 piles. A job: one transaction group per step. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "batch/job.h"
#include "batch/wlcsv.h"
#include "batch/wlsite.h"

static enum job_return	sync_all_step(struct job *);
static void		sync_all_render(const struct result *, FILE *);

/* The name spells the flag, so `whitelist sync --all` finds this entry
 * (the longest match) and plain `whitelist sync` the one-pile command. */
const struct cmd_entry cmd_whitelist_sync_all_entry = {
	.name = "whitelist sync --all",
	.args = "FILE --addresses=LIST --version=VERSION --dry-run --json",
	.usage = "FILE.csv [--addresses 1-32] [--version N] [--dry-run] [--json]",
	.step = sync_all_step,
	.render = sync_all_render,
	.help = N_("send the CSV file's list to every pile of the bus at once: staged "
	    "by broadcast, committed and verified per pile (1.0 piles: per-pile "
	    "writes)"),
};

#define PROBE_MARGIN_MS	25

struct sync_all {
	struct wlsite	site;
	int		inited;
	int		dry_run;
	uint8_t		addrs[247];
	size_t		naddrs;
	size_t		probe;		/* next address to probe (no --addresses) */
	struct pile_bus	*probe_bus;
	struct pile	*probe_pile;	/* the address being probed */
	struct pile	*pile;		/* the connection's, for the bus */
	uint64_t	last_progress_ms;
};

static void
sync_all_free(void *arg)
{
	struct sync_all	*sa = arg;

	if (sa->inited)
		wlsite_free(&sa->site);
	pile_free(sa->probe_pile);
	pile_bus_free(sa->probe_bus);
	free(sa);
}

/* "1-10,12": addresses 1..247, each once. */
static int
parse_addresses(const char *s, struct sync_all *sa)
{
	uint8_t		seen[248];
	char		*end;
	long		a, b;

	memset(seen, 0, sizeof seen);
	while (*s != '\0') {
		errno = 0;
		a = strtol(s, &end, 10);
		if (end == s || a < 1 || a > 247)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b > 247)
				return -1;
		}
		for (; a <= b; a++)
			if (!seen[a]++)
				sa->addrs[sa->naddrs++] = (uint8_t)a;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	return sa->naddrs > 0 ? 0 : -1;
}

static enum job_return
sync_all_start(struct job *job, struct sync_all *sa)
{
	struct cmd_ctx		*ctx = job->ctx;
	const char		*path = job->args.pos[0], *v;
	struct proto_wl_entry	*e = NULL;
	struct pile_bus_opts	 o;
	unsigned long		 ver = 0;
	char			*cause = NULL, *end;
	size_t			 n;
	FILE			*f;
	int			 rc, exit;

	sa->dry_run = cmd_args_has(&job->args, "dry-run");
	if ((v = cmd_args_get(&job->args, "version")) != NULL) {
		errno = 0;
		ver = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || ver == 0 ||
		    ver > UINT32_MAX)
			return job_fail(job, EXIT_USAGE, _("bad value '%s' for --version: "
			    "expected a number from 1 to %lu"), v, (unsigned long)UINT32_MAX);
	}
	if ((v = cmd_args_get(&job->args, "addresses")) != NULL &&
	    parse_addresses(v, sa) != 0)
		return job_fail(job, EXIT_USAGE, _("bad value '%s' for --addresses: give "
		    "addresses 1 to 247 as a list of numbers and ranges, e.g. 1-10,12"), v);
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL)
		return job_fail(job, EXIT_USAGE, _("cannot open '%s': %s"), path,
		    strerror(errno));
	rc = wlcsv_parse(f, f == stdin ? "<stdin>" : path, &e, &n, &cause);
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		return job_fail_cause(job, EXIT_USAGE, cause);
	if ((sa->pile = cmd_connect(ctx, &exit, &cause)) == NULL) {
		free(e);
		return job_fail_cause(job, exit, cause);
	}
	/* The runner holds the bus for this job's transactions through it. */
	job->pile = sa->pile;
	rc = wlsite_init(&sa->site, ctx->bus, ctx->opts.keys_file, e, n,
	    (uint32_t)ver, sa->addrs, sa->naddrs, &cause);
	free(e);
	sa->inited = 1;
	if (rc != 0)
		return job_fail_cause(job, EXIT_USAGE, cause);
	if (sa->naddrs == 0) {
		/* No list: who answers a one-register read quickly, as scan. */
		memset(&o, 0, sizeof o);
		o.timeout_ms = PROBE_MARGIN_MS + (int)((link_frame_us(link_params(ctx->link),
		    8) + link_frame_us(link_params(ctx->link), 5 + 2 *
		    PROTO_IDENTITY_COUNT)) / 1000);
		o.retries = 0;
		sa->probe_bus = cmd_bus_new(ctx, &o);
		sa->probe = 1;
		job_progress_start(job, _("addresses probed"), 247);
	}
	return job_yield(job);
}

/* One address probed a turn: its identity read on the short-timeout bus. */
static enum job_return
sync_all_probe(struct job *job, struct sync_all *sa)
{
	struct proto_identity	 id;
	char			*cause = NULL;

	if (sa->probe_pile != NULL) {
		if (pile_identity_parse(sa->probe_pile, &job->xfer, &id, &cause) == 0) {
			sa->site.piles = xrealloc(sa->site.piles, (sa->site.npiles + 1) *
			    sizeof *sa->site.piles);
			memset(&sa->site.piles[sa->site.npiles], 0, sizeof *sa->site.piles);
			sa->site.piles[sa->site.npiles].addr = (uint8_t)sa->probe;
			sa->site.piles[sa->site.npiles].pile = pile_new(sa->site.bus,
			    (uint8_t)sa->probe);
			sa->site.npiles++;
		}
		free(cause);
		pile_free(sa->probe_pile);
		sa->probe_pile = NULL;
		job->pile = sa->pile;
		sa->probe++;
		job_progress(job, sa->probe - 1, 0);
		if (sa->probe > 247)
			return job_yield(job);
	}
	sa->probe_pile = pile_new(sa->probe_bus, (uint8_t)sa->probe);
	job->pile = sa->probe_pile;
	pile_identity_request(sa->probe_pile, &job->xfer);
	return job_transact(job);
}

/* Esc during the commits: the piles not reached keep their lists. */
static void
sync_all_stop(struct sync_all *sa)
{
	struct wlsite_pile	*sp;
	size_t			 i;

	for (i = 0; i < sa->site.npiles; i++) {
		sp = &sa->site.piles[i];
		if (sp->done)
			continue;
		sp->done = 1;
		sp->ok = 0;
		sp->rc = 0;
		free(sp->error);
		sp->error = xstrdup(_("interrupted before its turn: it keeps its list"));
	}
}

static struct json *
pile_json(const struct wlsite *s, const struct wlsite_pile *sp)
{
	struct json	*o = json_object();

	json_set_int(o, "address", sp->addr);
	json_set_str(o, "serial", sp->id.serial);
	json_set_str(o, "how", wlsite_how_str(sp->how));
	json_set_str(o, "why", sp->why != NULL ? _(sp->why) : "");
	json_set_int(o, "version_before", sp->before.version);
	json_set_int(o, "count_before", sp->before.count);
	json_set_bool(o, "ok", sp->ok);
	json_set_int(o, "version", sp->ok ? sp->after.version : 0);
	json_set_int(o, "count", sp->ok ? sp->after.count : 0);
	json_set(o, "digest", json_strf("%08X", sp->ok ? sp->after.digest : 0));
	json_set_int(o, "commits", sp->commits);
	json_set_int(o, "resent", (int64_t)sp->resent);
	if (sp->how == WLSITE_DIFF || sp->how == WLSITE_PERPILE) {
		json_set_str(o, "mode", wlsync_mode_str(sp->plan.mode));
		json_set_int(o, "add", (int64_t)sp->plan.nadd);
		json_set_int(o, "change", (int64_t)sp->plan.nchange);
		json_set_int(o, "remove", (int64_t)sp->plan.nremove);
		json_set_int(o, "read", (int64_t)sp->plan.nread);
		json_set_int(o, "buckets", (int64_t)sp->plan.nbuckets);
	}
	if (sp->error != NULL)
		json_set_str(o, "error", sp->error);
	(void)s;
	return o;
}

static enum job_return
sync_all_finish(struct job *job, struct sync_all *sa)
{
	struct wlsite	*s = &sa->site;
	struct json	*o = job_data(job), *arr = json_array();
	size_t		 i, bad = 0, unreached = 0, big = wlsite_too_big(s);

	json_set_str(o, "mode", big > 0 ? "refused" : sa->dry_run ? "plan" : "site");
	json_set_int(o, "cards", (int64_t)s->nwant);
	json_set(o, "digest", json_strf("%08X", s->want_digest));
	json_set_int(o, "version", s->version);
	json_set_int(o, "transfer", s->transfer);
	json_set_int(o, "chunks", s->nchunks);
	json_set_int(o, "staged_piles", (int64_t)s->nstage);
	json_set_int(o, "broadcasts", (int64_t)s->broadcasts);
	json_set_int(o, "rebroadcast", (int64_t)s->rebroadcast);
	json_set_int(o, "resent", (int64_t)s->resent);
	json_set_int(o, "ms", (int64_t)(mono_ms() - s->start_ms));
	for (i = 0; i < s->npiles; i++) {
		json_push(arr, pile_json(s, &s->piles[i]));
		/* A dry run's pile fails when its plan did. */
		if (sa->dry_run ? s->piles[i].error != NULL : !s->piles[i].ok)
			bad++;
		if ((sa->dry_run ? s->piles[i].error != NULL : !s->piles[i].ok) &&
		    (s->piles[i].rc == PILE_E_TIMEOUT || s->piles[i].rc == PILE_E_GARBLED))
			unreached++;
	}
	json_set(o, "piles", arr);
	if (s->npiles == 0)
		return job_fail(job, EXIT_NO_ANSWER, _("no pile answered on the bus"));
	/* The list must change: bad input, refused before anything was sent. */
	if (big > 0)
		return job_fail(job, EXIT_USAGE, ngettext("the list of %zu cards is "
		    "bigger than %zu pile holds (see above): nothing was sent to any "
		    "pile", "the list of %zu cards is bigger than %zu piles hold (see "
		    "above): nothing was sent to any pile", (unsigned long)big),
		    s->nwant, big);
	if (bad > 0 && sa->dry_run)
		return job_fail(job, unreached == bad ? EXIT_NO_ANSWER : EXIT_FAILED,
		    ngettext("%zu of %zu piles cannot take the list (see above)",
		    "%zu of %zu piles cannot take the list (see above)",
		    (unsigned long)s->npiles), bad, s->npiles);
	if (bad > 0)
		return job_fail(job, unreached == bad ? EXIT_NO_ANSWER : EXIT_FAILED,
		    ngettext("%zu of %zu piles did not take the list (see above; run "
		    "the sync again to finish)", "%zu of %zu piles did not take the "
		    "list (see above; run the sync again to finish)",
		    (unsigned long)s->npiles), bad, s->npiles);
	return JOB_NORMAL;
}

static enum job_return
sync_all_step(struct job *job)
{
	struct sync_all	*sa = job->data;
	size_t		 done, total, i, took = 0;
	const char	*what;

	if (sa == NULL) {
		sa = job->data = xcalloc(1, sizeof *sa);
		job->free_data = sync_all_free;
		return sync_all_start(job, sa);
	}
	if (sa->probe_bus != NULL && sa->probe <= 247) {
		if (job_cancelled(job))
			return job_fail(job, EXIT_FAILED, _("interrupted: no pile's list "
			    "was changed"));
		return sync_all_probe(job, sa);
	}
	if (job_cancelled(job) && !wlsite_committing(&sa->site))
		return job_fail(job, EXIT_FAILED, _("interrupted: no pile's list was "
		    "changed"));
	if (job_cancelled(job) && wlsite_between(&sa->site)) {
		for (i = 0; i < sa->site.npiles; i++)
			if (sa->site.piles[i].ok)
				took++;
		sync_all_stop(sa);
		(void)sync_all_finish(job, sa);
		return job_fail(job, EXIT_FAILED, _("interrupted: %zu of %zu piles took "
		    "the list, the others keep theirs (run the sync again to finish)"),
		    took, sa->site.npiles);
	}
	if (wlsite_next(&sa->site, &job->xfer, sa->dry_run) == PILE_XFER_PENDING) {
		what = wlsite_phase(&sa->site, &done, &total);
		if (mono_ms() - sa->last_progress_ms >= 200) {
			job_progress_start(job, _(what), total);
			job_progress(job, done, 0);
			sa->last_progress_ms = mono_ms();
		}
		return job_transact_unit(job, job->xfer.req.unit);
	}
	return sync_all_finish(job, sa);
}

static void
sync_all_render(const struct result *r, FILE *f)
{
	const struct json	*o = r->data, *arr, *p;
	size_t			 i;

	if (o == NULL || (arr = json_get(o, "piles")) == NULL)
		return;
	for (i = 0; i < json_len(arr); i++) {
		p = json_at(arr, i);
		fprintf(f, _("pile %s at address %d: %s (%s)"),
		    *json_get_str(p, "serial") ? text_show(json_get_str(p, "serial")) : "-",
		    (int)json_get_int(p, "address", 0), json_get_str(p, "how"),
		    json_get_str(p, "why"));
		if (json_get_bool(p, "ok"))
			fprintf(f, _(": v%d, %d cards, digest %s"),
			    (int)json_get_int(p, "version", 0),
			    (int)json_get_int(p, "count", 0), json_get_str(p, "digest"));
		if (json_get_int(p, "resent", 0) > 0)
			fprintf(f, _(", %d chunks re-sent to it alone"),
			    (int)json_get_int(p, "resent", 0));
		if (json_get(p, "add") != NULL)
			fprintf(f, _(", +%d -%d ~%d"), (int)json_get_int(p, "add", 0),
			    (int)json_get_int(p, "remove", 0),
			    (int)json_get_int(p, "change", 0));
		if (json_get_str(p, "error") != NULL)
			fprintf(f, _(": FAILED: %s"), text_show(json_get_str(p, "error")));
		fputc('\n', f);
	}
	if (strcmp(json_get_str(o, "mode"), "refused") == 0)
		return;		/* the error says it: nothing sent */
	if (strcmp(json_get_str(o, "mode"), "plan") == 0) {
		fprintf(f, _("plan: %d cards in %d chunks broadcast once to %d piles, "
		    "version %d (dry run: nothing sent)\n"), (int)json_get_int(o, "cards", 0),
		    (int)json_get_int(o, "chunks", 0), (int)json_get_int(o, "staged_piles", 0),
		    (int)json_get_int(o, "version", 0));
		return;
	}
	fprintf(f, _("site: %d cards, digest %s, version %d; %d chunk frames "
	    "broadcast (%d again), %d re-sent to single piles, %.1f s\n"),
	    (int)json_get_int(o, "cards", 0), json_get_str(o, "digest"),
	    (int)json_get_int(o, "version", 0), (int)json_get_int(o, "broadcasts", 0),
	    (int)json_get_int(o, "rebroadcast", 0), (int)json_get_int(o, "resent", 0),
	    (double)json_get_int(o, "ms", 0) / 1000.0);
}
