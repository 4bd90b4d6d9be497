/* provision-run.c - a provisioning run over one bus: find and read every pile
 * the file names, plan what changes, then apply pile by pile and verify each
 * change by reading it back, a transaction a turn of the job's loop. One
 * pile failing never stops the others. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/job.h"
#include "batch/provision.h"
#include "batch/wlsite.h"

/* Staging pays once the per-pile writes would exceed this many commands. */
#define PROV_STAGE_MIN_COMMANDS	64

/* Scanning for piles given by serial: an absent address costs one short
 * timeout (what `pilecon scan` uses). */
#define PROV_SCAN_MARGIN_MS	25

void
prov_fail(struct prov_item *it, int rc, char *why)
{
	it->failed = 1;
	it->ok = 0;
	it->rc = rc < 0 ? rc : PILE_E_PROTOCOL;
	free(it->why);
	it->why = why;
}

int
prov_same_tariff(const struct proto_tariff *a, const struct proto_tariff *b)
{
	return a->version == b->version &&
	    memcmp(a->energy_price, b->energy_price, sizeof a->energy_price) == 0 &&
	    memcmp(a->service_price, b->service_price, sizeof a->service_price) == 0 &&
	    memcmp(a->slot_period, b->slot_period, sizeof a->slot_period) == 0;
}

int
prov_same_settings(const struct pile_settings *a, const struct pile_settings *b)
{
	return a->offline_charging == b->offline_charging &&
	    a->unknown_card == b->unknown_card && a->expired_card == b->expired_card &&
	    a->offline_max_wh == b->offline_max_wh;
}

/* Forced offline now, with at least 90 % of the asked time left: a second run
 * a few minutes later leaves it alone instead of pushing the end out. */
static int
prov_force_holds(const struct prov_pile *w, const struct proto_live *l)
{
	if (!w->force_on)
		return l->link != PROTO_LINK_FORCED;
	return l->link == PROTO_LINK_FORCED && l->forced_until > l->clock &&
	    (uint64_t)(l->forced_until - l->clock) * 10 >= (uint64_t)w->force_for_s * 9;
}

int
prov_item_changes(const struct prov_item *it)
{
	return it->set_change || it->tariff_change || it->clock_change ||
	    it->force_change || (it->wl_planned && wlsync_plan_changes(&it->wl)) ||
	    it->want->custody;
}

const char *
prov_sec_name(enum prov_sec sec)
{
	static const char *const names[PROV_NSECS] = { N_("clock"),
	    N_("offline_auth"), N_("offline_tariff"), N_("whitelist"),
	    N_("force_offline"), N_("custody") };

	return (unsigned)sec < PROV_NSECS ? names[sec] : "?";
}

static void
prov_load_key(struct prov_item *it, const char *keys_file, char **cause)
{
	uint8_t	key[PROTO_KEY_BYTES];

	if (keys_file == NULL) {
		*cause = xstrdup(_("writes need the pile's key: give the keys file with "
		    "--keys FILE or 'keys:' in the config"));
		return;
	}
	if (keys_lookup(keys_file, it->id.serial, key, cause) != 0)
		return;
	pile_set_key(it->pile, key);
	sodium_memzero(key, sizeof key);
	it->has_key = 1;
}

/* ---- find the piles given by serial ----------------------------------------- */

/* Piles the file names by serial only: look for them on the bus, an
 * identity read a turn on a bus of its own with a short timeout and no
 * retries, so an absent address costs what it costs `pilecon scan`. */
enum job_return
prov_find_step(struct job *job, struct pile_bus *bus, struct prov_run *run)
{
	struct link		*link = pile_bus_link(bus);
	const struct link_params *lp = link_params(link);
	struct pile_bus_opts	 bo;
	struct proto_identity	 id;
	size_t			 i;

	if (run->probe != NULL) {	/* the read of scan_addr finished */
		if (pile_identity_parse(run->probe, &job->xfer, &id, NULL) == 0) {
			for (i = 0; i < run->nitems; i++) {
				if (run->items[i].addr == 0 &&
				    strcmp(run->items[i].want->serial, id.serial) == 0) {
					run->items[i].addr = run->scan_addr;
					run->scan_left--;
				}
			}
		}
		job->pile = NULL;
		pile_free(run->probe);
		run->probe = NULL;
	} else if (run->scan_addr == 0) {
		for (i = 0; i < run->nitems; i++) {
			if (run->items[i].addr > 0)
				run->taken[run->items[i].addr] = 1;
			else
				run->scan_left++;
		}
		if (run->scan_left > 0) {
			memset(&bo, 0, sizeof bo);
			bo.timeout_ms = PROV_SCAN_MARGIN_MS + (int)((link_frame_us(lp, 8) +
			    link_frame_us(lp, 5 + 2 * PROTO_IDENTITY_COUNT)) / 1000);
			bo.retries = 0;
			run->scan_bus = cmd_bus_new(job->ctx, &bo);
		}
	}
	while (run->scan_left > 0 && ++run->scan_addr <= 247) {
		if (run->taken[run->scan_addr])
			continue;
		run->probe = pile_new(run->scan_bus, (uint8_t)run->scan_addr);
		job->pile = run->probe;
		pile_identity_request(run->probe, &job->xfer);
		return job_transact(job);
	}
	pile_bus_free(run->scan_bus);
	run->scan_bus = NULL;
	run->scan_addr = 248;
	for (i = 0; i < run->nitems; i++)
		if (run->items[i].addr == 0 && !run->items[i].failed)
			prov_fail(&run->items[i], PILE_E_TIMEOUT, xasprintf(_("no pile "
			    "with serial '%s' answers on '%s' at %u baud (addresses "
			    "1-247 scanned; check the serial, the wiring and the baud "
			    "rate)"), run->items[i].want->serial, link_name(link),
			    lp->baud));
	return JOB_NORMAL;
}

void
prov_plan_start(const struct prov_file *pf, struct prov_run *run)
{
	size_t	i;

	memset(run, 0, sizeof *run);
	run->nitems = pf->npiles;
	run->items = xcalloc(pf->npiles, sizeof *run->items);
	for (i = 0; i < pf->npiles; i++) {
		run->items[i].want = &pf->piles[i];
		run->items[i].addr = pf->piles[i].addr;
	}
}

/* ---- plan ------------------------------------------------------------------- */

enum {
	PS_IDENT, PS_IDENT_DONE, PS_LIVE_DONE, PS_SETTINGS_DONE, PS_TARIFF,
	PS_TARIFF_DONE, PS_WHITELIST, PS_PLANNING, PS_KEY, PS_KEY_DONE, PS_DONE
};

static int
prov_wants_settings(const struct prov_pile *w)
{
	return w->has_charging || w->has_unknown || w->has_expired || w->has_max_wh;
}

static enum job_return
prov_plan_failed(struct prov_item *it, int rc, char *cause)
{
	prov_fail(it, rc, cause);
	it->step = PS_DONE;
	return JOB_NORMAL;
}

static void
prov_plan_settings(struct prov_item *it)
{
	const struct prov_pile	*w = it->want;

	it->set_after = it->set_before;
	if (w->has_charging)
		it->set_after.offline_charging = w->auth.offline_charging;
	if (w->has_unknown)
		it->set_after.unknown_card = w->auth.unknown_card;
	if (w->has_expired)
		it->set_after.expired_card = w->auth.expired_card;
	if (w->has_max_wh)
		it->set_after.offline_max_wh = w->auth.offline_max_wh;
	it->set_change = !prov_same_settings(&it->set_before, &it->set_after);
}

/* The whitelist's plan is made: a 1.1 pile that would have to be read
 * whole, or whose changes would cost many commands (a few dozen are
 * cheaper sent than staged and committed), takes the list by broadcast
 * staging with the others instead. */
static void
prov_plan_staging(struct prov_item *it)
{
	const struct prov_pile	*w = it->want;

	if ((it->id.caps & PROTO_CAP_STAGING) && (it->wl.mode == WLSYNC_READ ||
	    it->wl.ncommands > PROV_STAGE_MIN_COMMANDS)) {
		free(it->wl.upserts);
		free(it->wl.removes);
		it->wl.upserts = xcalloc(1, sizeof *it->wl.upserts);
		it->wl.removes = xcalloc(1, sizeof *it->wl.removes);
		it->wl.nchange = 0;
		it->wl_staged = 1;
		it->wl.mode = WLSYNC_STAGED;
		it->wl.why = N_("staged by broadcast, committed in its session");
		it->wl.nadd = it->wl.nwant;
		it->wl.nremove = it->wl.pile.count;
		it->wl.ncommands = 1;
		it->wl.new_version = w->wl_version ? w->wl_version :
		    it->wl.pile.version + 1;
	} else if (!(it->id.caps & PROTO_CAP_STAGING) && wlsync_plan_changes(&it->wl))
		it->wl.why = N_("protocol 1.0 (no staging): per-pile writes");
}

void
prov_planner_free(struct prov_item *it)
{
	if (it->planner == NULL)
		return;
	wlsync_planner_free(it->planner);
	free(it->planner);
	it->planner = NULL;
}

/* Reads one pile and plans it: identity, live block, the settings and the
 * tariff when the file sets them, the whitelist's plan (its bucket
 * digests a window a turn when it needs them), the public key it shows. */
enum job_return
prov_plan_step(struct job *job, struct pile_bus *bus, struct prov_item *it,
    const char *keys_file)
{
	const struct prov_pile	*w = it->want;
	char			*cause = NULL;
	int			 rc;

	if (it->failed)
		return JOB_NORMAL;
	if (it->pile == NULL)
		it->pile = pile_new(bus, (uint8_t)it->addr);
	job->pile = it->pile;
	for (;;) {
		switch (it->step) {
		case PS_IDENT:
			pile_identity_request(it->pile, &job->xfer);
			it->step = PS_IDENT_DONE;
			return job_transact(job);
		case PS_IDENT_DONE:
			if ((rc = pile_identity_parse(it->pile, &job->xfer, &it->id,
			    &cause)) != 0)
				return prov_plan_failed(it, rc, cause);
			it->have_id = 1;
			if (w->serial[0] != '\0' && strcmp(w->serial, it->id.serial) != 0)
				return prov_plan_failed(it, PILE_E_PROTOCOL, xasprintf(
				    _("address %d holds pile '%s', not '%s' as the file "
				    "says (line %lu): check the file, or find the pile "
				    "with 'pilecon scan'"), it->addr, it->id.serial,
				    w->serial, w->line));
			pile_live_request(it->pile, &job->xfer);
			it->step = PS_LIVE_DONE;
			return job_transact(job);
		case PS_LIVE_DONE:
			if ((rc = pile_live_parse(&job->xfer, &it->live, &cause)) != 0)
				return prov_plan_failed(it, rc, cause);
			if (w->clock_sync) {
				it->drift_s = (int64_t)it->live.clock - (int64_t)time(NULL);
				it->clock_change = it->drift_s > PROV_CLOCK_SLACK_S ||
				    it->drift_s < -PROV_CLOCK_SLACK_S;
			}
			if (w->has_force)
				it->force_change = !prov_force_holds(w, &it->live);
			it->step = PS_TARIFF;
			if (!prov_wants_settings(w))
				continue;
			pile_settings_request(it->pile, &job->xfer);
			it->step = PS_SETTINGS_DONE;
			return job_transact(job);
		case PS_SETTINGS_DONE:
			if ((rc = pile_settings_parse(&job->xfer, &it->set_before,
			    &cause)) != 0)
				return prov_plan_failed(it, rc, cause);
			prov_plan_settings(it);
			it->step = PS_TARIFF;
			continue;
		case PS_TARIFF:
			it->step = PS_WHITELIST;
			if (!w->has_tariff)
				continue;
			pile_tariff_request(it->pile, &job->xfer);
			it->step = PS_TARIFF_DONE;
			return job_transact(job);
		case PS_TARIFF_DONE:
			if ((rc = pile_tariff_parse(it->pile, &job->xfer,
			    &it->tariff_before, &cause)) != 0)
				return prov_plan_failed(it, rc, cause);
			it->tariff_change = !prov_same_tariff(&it->tariff_before,
			    &w->tariff);
			it->step = PS_WHITELIST;
			continue;
		case PS_WHITELIST:
			it->step = PS_KEY;
			if (!w->has_whitelist)
				continue;
			/* A 1.1 pile that would have to be read whole is not:
			 * it takes the list by staging (prov_plan_staging). */
			it->planner = xcalloc(1, sizeof *it->planner);
			it->wl_planned = 1;
			if ((rc = wlsync_planner_begin(it->planner, it->pile, &it->id, w->wl,
			    w->nwl, w->wl_version, 0, !(it->id.caps & PROTO_CAP_STAGING),
			    &it->wl, &cause)) != 0) {
				prov_planner_free(it);
				it->too_big = rc == WLSYNC_TOO_BIG;
				return prov_plan_failed(it, rc, cause);
			}
			pile_xfer_reset(&job->xfer);
			it->step = PS_PLANNING;
			continue;
		case PS_PLANNING:
			/* The planner reads what the plan needs, a read a turn. */
			rc = wlsync_planner_next(it->planner, &job->xfer, &cause);
			if (rc == PILE_XFER_PENDING)
				return job_transact(job);
			prov_planner_free(it);
			if (rc != 0)
				return prov_plan_failed(it, rc, cause);
			prov_plan_staging(it);
			it->step = PS_KEY;
			continue;
		case PS_KEY:
			/* Without a key the plan is still worth seeing (--dry-run
			 * needs none); applying it fails before the first write. */
			prov_load_key(it, keys_file, &cause);
			if (!it->has_key)
				it->key_cause = cause;
			else
				free(cause);
			it->step = PS_DONE;
			if (!prov_key_pile_wanted(it))
				return JOB_NORMAL;
			it->step = PS_KEY_DONE;
			pile_public_key_request(it->pile, &job->xfer);
			return job_transact(job);
		case PS_KEY_DONE:
			prov_key_pile_parse(it, &job->xfer);
			it->step = PS_DONE;
			return JOB_NORMAL;
		default:
			return JOB_NORMAL;
		}
	}
}

/* ---- staging ---------------------------------------------------------------- */

static void
prov_item_site(struct prov_run *run, int addr, int ok, int rc, const char *error,
    size_t resent, unsigned commits)
{
	struct prov_item	*it;
	size_t			 i;

	for (i = 0; i < run->nitems; i++) {
		it = &run->items[i];
		if (it->addr != addr || !it->wl_staged || it->wl_site_done)
			continue;
		it->wl_site_done = 1;
		it->wl_site_ok = ok;
		it->wl_site_rc = rc;
		free(it->wl_site_error);
		it->wl_site_error = error != NULL ? xstrdup(error) : NULL;
		it->wl_resent = resent;
		it->wl_commits = commits;
		return;
	}
}

static int
prov_same_list(const struct prov_pile *a, const struct prov_pile *b)
{
	return a->nwl == b->nwl && a->wl_version == b->wl_version &&
	    (a->nwl == 0 || memcmp(a->wl, b->wl, a->nwl * sizeof *a->wl) == 0);
}

/* Hands each pile its share of the finished transfer, and frees it. */
static void
prov_site_done(struct prov_run *run)
{
	struct wlsite	*site = run->site;
	size_t		 k;

	for (k = 0; k < site->npiles; k++)
		prov_item_site(run, site->piles[k].addr, site->piles[k].ok,
		    site->piles[k].rc, site->piles[k].error, site->piles[k].resent,
		    site->piles[k].commits);
	wlsite_free(site);
	free(site);
	run->site = NULL;
}

enum job_return
prov_stage_step(struct job *job, struct pile_bus *bus, struct prov_run *run,
    const char *keys_file)
{
	struct prov_item	*it, *jt;
	uint8_t			*addrs;
	size_t			 j, n, k;
	char			*cause = NULL;

	if (run->site != NULL) {
		if (wlsite_step(run->site, 0))
			return job_yield(job);
		prov_site_done(run);
		return job_yield(job);
	}
	for (; run->stage_at < run->nitems; run->stage_at++) {
		it = &run->items[run->stage_at];
		if (!it->wl_staged || it->failed || it->wl_site_done)
			continue;
		/* Every pile that wants the same list shares the transfer. */
		addrs = xcalloc(run->nitems + 1, 1);
		for (j = run->stage_at, n = 0; j < run->nitems; j++) {
			jt = &run->items[j];
			if (jt->wl_staged && !jt->failed && !jt->wl_site_done &&
			    prov_same_list(it->want, jt->want))
				addrs[n++] = (uint8_t)jt->addr;
		}
		run->site = xcalloc(1, sizeof *run->site);
		if (wlsite_init(run->site, bus, keys_file, it->want->wl, it->want->nwl,
		    it->want->wl_version, addrs, n, &cause) != 0) {
			for (k = 0; k < n; k++)
				prov_item_site(run, addrs[k], 0, PILE_E_PROTOCOL, cause, 0, 0);
			free(cause);
			cause = NULL;
			free(run->site);
			run->site = NULL;
			free(addrs);
			continue;
		}
		free(addrs);
		run->stage_at++;
		return job_yield(job);
	}
	return JOB_NORMAL;
}

/* ---- the end ---------------------------------------------------------------- */

void
prov_run_free(struct prov_run *run)
{
	size_t	i;

	for (i = 0; i < run->nitems; i++) {
		free(run->items[i].why);
		free(run->items[i].key_cause);
		free(run->items[i].wl_site_error);
		prov_custody_free(&run->items[i]);
		prov_planner_free(&run->items[i]);
		free(run->items[i].wc.werr);
		if (run->items[i].wl_planned)
			wlsync_plan_free(&run->items[i].wl);
		pile_free(run->items[i].pile);
	}
	if (run->site != NULL) {
		wlsite_free(run->site);
		free(run->site);
	}
	pile_free(run->probe);
	pile_bus_free(run->scan_bus);
	free(run->items);
	memset(run, 0, sizeof *run);
}
