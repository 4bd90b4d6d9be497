/* provision-run.c - a provisioning run over one bus: find and read every pile
 * the file names, plan what changes, then apply pile by pile and verify each
 * change by reading it back. One pile failing never stops the others. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/cmd-util.h"
#include "batch/provision.h"
#include "batch/wlsite.h"

/* Staging pays once the per-pile writes would exceed this many commands. */
#define PROV_STAGE_MIN_COMMANDS	64

/* Scanning for piles given by serial: an absent address costs one short
 * timeout (what `pilecon scan` uses). */
#define PROV_SCAN_MARGIN_MS	25

static void
prov_fail(struct prov_item *it, int rc, char *why)
{
	it->failed = 1;
	it->ok = 0;
	it->rc = rc < 0 ? rc : PILE_E_PROTOCOL;
	free(it->why);
	it->why = why;
}

static int
prov_same_tariff(const struct proto_tariff *a, const struct proto_tariff *b)
{
	return a->version == b->version &&
	    memcmp(a->energy_price, b->energy_price, sizeof a->energy_price) == 0 &&
	    memcmp(a->service_price, b->service_price, sizeof a->service_price) == 0 &&
	    memcmp(a->slot_period, b->slot_period, sizeof a->slot_period) == 0;
}

static int
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

static void
prov_plan_item(struct prov_item *it, const char *keys_file)
{
	const struct prov_pile	*w = it->want;
	char			*cause = NULL, *keycause = NULL;
	int			 rc;

	if ((rc = pile_live(it->pile, &it->live, &cause)) != 0) {
		prov_fail(it, rc, cause);
		return;
	}
	if (w->has_charging || w->has_unknown || w->has_expired || w->has_max_wh) {
		if ((rc = pile_settings_read(it->pile, &it->set_before, &cause)) != 0) {
			prov_fail(it, rc, cause);
			return;
		}
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
	if (w->has_tariff) {
		if ((rc = pile_tariff_read(it->pile, &it->tariff_before, &cause)) != 0) {
			prov_fail(it, rc, cause);
			return;
		}
		it->tariff_change = !prov_same_tariff(&it->tariff_before, &w->tariff);
	}
	if (w->clock_sync) {
		it->drift_s = (int64_t)it->live.clock - (int64_t)time(NULL);
		it->clock_change = it->drift_s > PROV_CLOCK_SLACK_S ||
		    it->drift_s < -PROV_CLOCK_SLACK_S;
	}
	if (w->has_force)
		it->force_change = !prov_force_holds(w, &it->live);
	if (w->has_whitelist) {
		/* A 1.1 pile that would have to be read whole takes the list
		 * by broadcast staging with the others instead. */
		rc = wlsync_plan_ex(it->pile, &it->id, w->wl, w->nwl, w->wl_version, 0,
		    !(it->id.caps & PROTO_CAP_STAGING), &it->wl, &cause);
		it->wl_planned = 1;
		if (rc != 0) {
			it->too_big = rc == WLSYNC_TOO_BIG;
			prov_fail(it, rc, cause);
			return;
		}
		/* ... and so does one whose changes would cost many commands
		 * (a few dozen are cheaper sent than staged and committed). */
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
		} else if (!(it->id.caps & PROTO_CAP_STAGING) &&
		    wlsync_plan_changes(&it->wl))
			it->wl.why = N_("protocol 1.0 (no staging): per-pile writes");
	}
	/* Without a key the plan is still worth seeing (--dry-run needs
	 * none); applying it fails before the first write. */
	prov_load_key(it, keys_file, &keycause);
	if (!it->has_key)
		it->key_cause = keycause;
	else
		free(keycause);
}

/* Piles the file names by serial only: look for them on the bus. */
static void
prov_find_serials(struct pile_bus *bus, struct prov_run *run)
{
	struct link		*link = pile_bus_link(bus);
	const struct link_params *lp = link_params(link);
	struct pile_bus_opts	 bo;
	struct pile_bus		*sbus;
	struct proto_identity	 id;
	struct pile		*p;
	uint8_t			 taken[248];
	size_t			 i, left = 0;
	int			 a;

	memset(taken, 0, sizeof taken);
	for (i = 0; i < run->nitems; i++) {
		if (run->items[i].addr > 0)
			taken[run->items[i].addr] = 1;
		else
			left++;
	}
	if (left == 0)
		return;
	memset(&bo, 0, sizeof bo);
	bo.timeout_ms = PROV_SCAN_MARGIN_MS + (int)((link_frame_us(lp, 8) +
	    link_frame_us(lp, 5 + 2 * PROTO_IDENTITY_COUNT)) / 1000);
	bo.retries = 0;
	sbus = pile_bus_new(link, &bo);
	for (a = 1; a <= 247 && left > 0; a++) {
		if (taken[a])
			continue;
		p = pile_new(sbus, (uint8_t)a);
		if (pile_identity(p, &id, NULL) == 0) {
			for (i = 0; i < run->nitems; i++) {
				if (run->items[i].addr == 0 &&
				    strcmp(run->items[i].want->serial, id.serial) == 0) {
					run->items[i].addr = a;
					left--;
				}
			}
		}
		pile_free(p);
	}
	pile_bus_free(sbus);
	for (i = 0; i < run->nitems; i++)
		if (run->items[i].addr == 0)
			prov_fail(&run->items[i], PILE_E_TIMEOUT, xasprintf(_("no pile "
			    "with serial '%s' answers on '%s' at %u baud (addresses "
			    "1-247 scanned; check the serial, the wiring and the baud "
			    "rate)"), run->items[i].want->serial, link_name(link),
			    lp->baud));
}

void
prov_plan_start(struct pile_bus *bus, const struct prov_file *pf, struct prov_run *run)
{
	size_t	i;

	memset(run, 0, sizeof *run);
	run->nitems = pf->npiles;
	run->items = xcalloc(pf->npiles, sizeof *run->items);
	for (i = 0; i < pf->npiles; i++) {
		run->items[i].want = &pf->piles[i];
		run->items[i].addr = pf->piles[i].addr;
	}
	prov_find_serials(bus, run);
}

void
prov_plan_pile(struct pile_bus *bus, struct prov_item *it, const char *keys_file)
{
	char	*cause = NULL;
	int	 rc;

	if (it->failed)
		return;
	it->pile = pile_new(bus, (uint8_t)it->addr);
	if ((rc = pile_identity(it->pile, &it->id, &cause)) != 0) {
		prov_fail(it, rc, cause);
		return;
	}
	it->have_id = 1;
	if (it->want->serial[0] != '\0' &&
	    strcmp(it->want->serial, it->id.serial) != 0) {
		prov_fail(it, PILE_E_PROTOCOL, xasprintf(_("address %d holds "
		    "pile '%s', not '%s' as the file says (line %lu): check "
		    "the file, or find the pile with 'pilecon scan'"), it->addr,
		    it->id.serial, it->want->serial, it->want->line));
		return;
	}
	prov_plan_item(it, keys_file);
}

void
prov_plan(struct pile_bus *bus, const struct prov_file *pf, const char *keys_file,
    struct prov_run *run)
{
	size_t	i;

	prov_plan_start(bus, pf, run);
	for (i = 0; i < run->nitems; i++)
		prov_plan_pile(bus, &run->items[i], keys_file);
}

/* ---- apply ----------------------------------------------------------------- */

static int
prov_step_failed(struct prov_item *it, const char *what, int rc, char *cause)
{
	prov_fail(it, rc, xasprintf("%s: %s", what, cause));
	free(cause);
	return -1;
}

static int
prov_apply_clock(struct prov_item *it)
{
	struct proto_live	 l;
	char			*cause = NULL;
	int64_t			 d;
	int			 rc;

	if ((rc = pile_clock_set(it->pile, (uint32_t)time(NULL), &cause)) != 0)
		return prov_step_failed(it, _("clock"), rc, cause);
	it->writes++;
	if ((rc = pile_live(it->pile, &l, &cause)) != 0)
		return prov_step_failed(it, _("clock"), rc, cause);
	d = (int64_t)l.clock - (int64_t)time(NULL);
	if (d > PROV_CLOCK_SLACK_S || d < -PROV_CLOCK_SLACK_S)
		return prov_step_failed(it, _("clock"), PILE_E_PROTOCOL, xasprintf(
		    _("the clock reads back %+lld s off after it was set"), (long long)d));
	return 0;
}

static int
prov_apply_settings(struct prov_item *it)
{
	struct pile_settings	 s;
	char			*cause = NULL;
	int			 rc;

	if ((rc = pile_settings_write(it->pile, &it->set_after, &cause)) != 0)
		return prov_step_failed(it, _("offline_auth"), rc, cause);
	it->writes++;
	if ((rc = pile_settings_read(it->pile, &s, &cause)) != 0)
		return prov_step_failed(it, _("offline_auth"), rc, cause);
	if (!prov_same_settings(&s, &it->set_after))
		return prov_step_failed(it, _("offline_auth"), PILE_E_PROTOCOL,
		    xstrdup(_("the settings read back differ from what was written")));
	return 0;
}

static int
prov_apply_tariff(struct prov_item *it)
{
	struct proto_tariff	 t;
	char			*cause = NULL;
	int			 rc;

	if ((rc = pile_tariff_write(it->pile, &it->want->tariff, &cause)) != 0)
		return prov_step_failed(it, _("offline_tariff"), rc, cause);
	it->writes++;
	if ((rc = pile_tariff_read(it->pile, &t, &cause)) != 0)
		return prov_step_failed(it, _("offline_tariff"), rc, cause);
	if (!prov_same_tariff(&t, &it->want->tariff))
		return prov_step_failed(it, _("offline_tariff"), PILE_E_PROTOCOL,
		    xasprintf(_("the tariff reads back as version %u, not the %u "
		    "written"), t.version, it->want->tariff.version));
	return 0;
}

static int
prov_apply_force(struct prov_item *it)
{
	const struct prov_pile	*w = it->want;
	struct proto_live	 l;
	char			*cause = NULL;
	uint32_t		 until = 0;
	int			 rc;

	/* The end is in pile time, which the clock step may just have set. */
	if ((rc = pile_live(it->pile, &l, &cause)) != 0)
		return prov_step_failed(it, _("force_offline"), rc, cause);
	if (w->force_on)
		until = l.clock + w->force_for_s;
	if ((rc = pile_force_offline(it->pile, until, &cause)) != 0)
		return prov_step_failed(it, _("force_offline"), rc, cause);
	it->writes++;
	if ((rc = pile_live(it->pile, &l, &cause)) != 0)
		return prov_step_failed(it, _("force_offline"), rc, cause);
	if (w->force_on && (l.link != PROTO_LINK_FORCED || l.forced_until != until))
		return prov_step_failed(it, _("force_offline"), PILE_E_PROTOCOL,
		    xasprintf(_("the pile reads back '%s' until %u, not forced "
		    "offline until %u"), proto_link_str(l.link), l.forced_until, until));
	if (!w->force_on && l.link == PROTO_LINK_FORCED)
		return prov_step_failed(it, _("force_offline"), PILE_E_PROTOCOL,
		    xstrdup(_("the pile is still forced offline after it was told to "
		    "end it")));
	return 0;
}

int
prov_apply_start(struct prov_item *it)
{
	it->t0 = (double)mono_us() / 1e6;
	if (it->failed)
		return -1;
	it->applied = 1;
	if (prov_item_changes(it) && !it->has_key) {
		prov_fail(it, PILE_E_AUTH, xasprintf(_("cannot write to pile '%s': %s"),
		    it->id.serial, it->key_cause ? it->key_cause : "?"));
		goto fail;
	}
	/* The clock first: a forced-offline end is counted on it. */
	if (it->clock_change && prov_apply_clock(it) != 0)
		goto fail;
	if (it->set_change && prov_apply_settings(it) != 0)
		goto fail;
	if (it->tariff_change && prov_apply_tariff(it) != 0)
		goto fail;
	if (it->wl_staged) {
		it->writes += it->wl_commits;
		if (!it->wl_site_ok) {
			prov_step_failed(it, _("whitelist"), it->wl_site_rc ?
			    it->wl_site_rc : PILE_E_PROTOCOL, xstrdup(it->wl_site_error ?
			    it->wl_site_error : _("not staged")));
			goto fail;
		}
	}
	return 0;
fail:
	it->seconds = ((double)mono_us() / 1e6) - it->t0;
	return -1;
}

int
prov_apply_whitelist(struct prov_item *it)
{
	char	*cause = NULL;
	int	 rc;

	if (it->wl_staged || !it->wl_planned)
		return 0;
	/* With nothing to change this only reads and records. */
	if ((rc = wlsync_apply_auth(it->pile, &it->wl, &cause)) == 1)
		return 1;
	if (rc == 0)
		rc = wlsync_apply_next(it->pile, &it->id, &it->wl, 0, &cause);
	if (rc != 1)	/* the commands of the plan it ended with */
		it->writes += (unsigned)it->wl.ndone;
	if (rc < 0 || rc > 1) {
		prov_step_failed(it, _("whitelist"), rc, cause);
		it->seconds = ((double)mono_us() / 1e6) - it->t0;
		return -1;
	}
	return rc;
}

void
prov_apply_finish(struct prov_item *it)
{
	if (!it->force_change || prov_apply_force(it) == 0)
		it->ok = 1;
	it->seconds = ((double)mono_us() / 1e6) - it->t0;
}

void
prov_apply(struct prov_item *it, const char *keys_file)
{
	int	rc;

	(void)keys_file;
	if (prov_apply_start(it) != 0)
		return;
	while ((rc = prov_apply_whitelist(it)) == 1)
		;
	if (rc == 0)
		prov_apply_finish(it);
}

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

void
prov_stage(struct pile_bus *bus, struct prov_run *run, const char *keys_file)
{
	struct wlsite		 site;
	struct prov_item	*it, *jt;
	uint8_t			*addrs;
	size_t			 i, j, n, k;
	char			*cause = NULL;

	addrs = xcalloc(run->nitems + 1, 1);
	for (i = 0; i < run->nitems; i++) {
		it = &run->items[i];
		if (!it->wl_staged || it->failed || it->wl_site_done)
			continue;
		/* Every pile that wants the same list shares the transfer. */
		for (j = i, n = 0; j < run->nitems; j++) {
			jt = &run->items[j];
			if (jt->wl_staged && !jt->failed && !jt->wl_site_done &&
			    prov_same_list(it->want, jt->want))
				addrs[n++] = (uint8_t)jt->addr;
		}
		if (wlsite_init(&site, bus, keys_file, it->want->wl, it->want->nwl,
		    it->want->wl_version, addrs, n, &cause) != 0) {
			for (k = 0; k < n; k++)
				prov_item_site(run, addrs[k], 0, PILE_E_PROTOCOL, cause, 0, 0);
			free(cause);
			cause = NULL;
			continue;
		}
		while (wlsite_step(&site, 0))
			;
		for (k = 0; k < site.npiles; k++)
			prov_item_site(run, site.piles[k].addr, site.piles[k].ok,
			    site.piles[k].rc, site.piles[k].error, site.piles[k].resent,
			    site.piles[k].commits);
		wlsite_free(&site);
	}
	free(addrs);
}

void
prov_run_free(struct prov_run *run)
{
	size_t	i;

	for (i = 0; i < run->nitems; i++) {
		free(run->items[i].why);
		free(run->items[i].key_cause);
		free(run->items[i].wl_site_error);
		prov_custody_free(&run->items[i]);
		if (run->items[i].wl_planned)
			wlsync_plan_free(&run->items[i].wl);
		if (run->items[i].pile != NULL)
			pile_session_close(run->items[i].pile, NULL);
		pile_free(run->items[i].pile);
	}
	free(run->items);
	memset(run, 0, sizeof *run);
}
