/* wlsite.c - one whitelist to every pile of a bus: plan per pile, broadcast
 * the staging chunks once, broadcast again what several piles missed,
 * commit per pile (re-sending to it alone what it still misses), verify by
 * version and digest; per-pile sync for piles without staging. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/batch.h"
#include "batch/wlsite.h"

enum { PH_PLAN, PH_BROADCAST, PH_CHECK, PH_AGAIN, PH_COMMIT, PH_DONE };

#define SITE_ROUNDS	2	/* broadcast again at most this often */
#define SITE_COMMITS	4	/* commit tries per pile */

const char *
wlsite_how_str(enum wlsite_how h)
{
	static const char *const s[] = { "none", "stage", "diff", "per-pile",
	    "unreachable" };

	return h <= WLSITE_UNREACHABLE ? s[h] : "unknown";
}

int
wlsite_init(struct wlsite *s, struct pile_bus *bus, const char *keys_file,
    const struct proto_wl_entry *want, size_t n, uint32_t version,
    const uint8_t *addrs, size_t naddrs, char **cause)
{
	crypto_hash_sha256_state	st;
	uint8_t				wire[PROTO_WL_ENTRY_BYTES];
	size_t				i;

	memset(s, 0, sizeof *s);
	s->bus = bus;
	s->keys_file = keys_file;
	s->want = xcalloc(n + 1, sizeof *s->want);
	if (n > 0)
		memcpy(s->want, want, n * sizeof *want);
	s->nwant = n;
	if (wlsync_sort(s->want, n, cause) != 0)
		return -1;
	if ((n + PROTO_WL_WINDOW_ENTRIES - 1) / PROTO_WL_WINDOW_ENTRIES > 0xFFFF)
		return set_cause(cause, -1, _("the list has %zu cards: a staged "
		    "transfer holds at most %u"), n, 0xFFFF * PROTO_WL_WINDOW_ENTRIES);
	s->version = version;
	s->want_digest = wlsync_digest(s->want, n);
	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		proto_wl_entry_wire(&s->want[i], wire);
		crypto_hash_sha256_update(&st, wire, sizeof wire);
	}
	crypto_hash_sha256_final(&st, s->sha);
	s->nchunks = (uint16_t)((n + PROTO_WL_WINDOW_ENTRIES - 1) / PROTO_WL_WINDOW_ENTRIES);
	if (s->nchunks == 0)
		s->nchunks = 1;		/* an empty list is one empty chunk */
	do
		s->transfer = (uint16_t)randombytes_uniform(0xFFFF);
	while (s->transfer == 0);
	s->piles = xcalloc(naddrs + 1, sizeof *s->piles);
	for (i = 0; i < naddrs; i++) {
		s->piles[i].addr = addrs[i];
		s->piles[i].pile = pile_new(bus, addrs[i]);
	}
	s->npiles = naddrs;
	s->start_ms = mono_ms();
	return 0;
}

void
wlsite_free(struct wlsite *s)
{
	size_t	i;

	for (i = 0; i < s->npiles; i++) {
		pile_free(s->piles[i].pile);
		wlsync_plan_free(&s->piles[i].plan);
		free(s->piles[i].error);
	}
	free(s->piles);
	free(s->want);
	free(s->again);
	memset(s, 0, sizeof *s);
}

static void
site_fail_rc(struct wlsite_pile *sp, int rc, char *cause)
{
	sp->rc = rc;
	sp->done = 1;
	sp->ok = 0;
	free(sp->error);
	sp->error = cause;
}

static void
site_fail(struct wlsite_pile *sp, char *cause)
{
	sp->rc = PILE_E_REFUSED;
	sp->done = 1;
	sp->ok = 0;
	free(sp->error);
	sp->error = cause;
}

/* Identity, key, status, and how this pile gets the list. */
static void
site_plan(struct wlsite *s, struct wlsite_pile *sp)
{
	uint8_t		 key[PROTO_KEY_BYTES];
	char		*cause = NULL;
	int		 rc;

	if ((rc = pile_identity(sp->pile, &sp->id, &cause)) != 0) {
		sp->how = WLSITE_UNREACHABLE;
		sp->why = N_("no answer");
		site_fail_rc(sp, rc, cause);
		return;
	}
	if (keys_lookup(s->keys_file, sp->id.serial, key, &cause) == 0)
		pile_set_key(sp->pile, key);
	else {
		free(cause);	/* said when a write is refused */
		cause = NULL;
	}
	sodium_memzero(key, sizeof key);
	if ((rc = pile_wl_status(sp->pile, &sp->before, &cause)) != 0) {
		sp->how = WLSITE_UNREACHABLE;
		sp->why = N_("no answer");
		site_fail_rc(sp, rc, cause);
		return;
	}
	if (sp->id.wl_capacity != 0 && s->nwant > sp->id.wl_capacity) {
		sp->how = WLSITE_NONE;
		sp->too_big = 1;
		sp->why = N_("the list exceeds its whitelist capacity");
		site_fail(sp, xasprintf(_("the list has %zu cards but the pile holds "
		    "at most %u (identity.whitelist_capacity)"), s->nwant,
		    sp->id.wl_capacity));
		return;
	}
	if (sp->before.digest == s->want_digest && sp->before.count == s->nwant) {
		sp->how = WLSITE_NONE;
		sp->why = N_("already holds this list");
		return;
	}
	if (!(sp->id.caps & PROTO_CAP_STAGING)) {
		sp->how = WLSITE_PERPILE;
		sp->why = N_("protocol 1.0 (no staging): per-pile writes");
		return;
	}
	/* Close to the list (drifted, or one edit behind): fixing the
	 * differences costs less than the pile's share of a commit. */
	if (sp->before.count > 0 && (sp->id.caps & PROTO_CAP_BUCKETS) &&
	    (sp->before.count > s->nwant ? sp->before.count - s->nwant :
	    s->nwant - sp->before.count) < s->nwant / 8 + 1) {
		rc = wlsync_plan_ex(sp->pile, &sp->id, s->want, s->nwant, s->version,
		    0, 0, &sp->plan, &cause);
		if (rc == 0 && (sp->plan.mode == WLSYNC_BUCKETS ||
		    sp->plan.mode == WLSYNC_CACHED) &&
		    sp->plan.ncommands < (size_t)s->nchunks / 4 + 1) {
			sp->how = WLSITE_DIFF;
			sp->why = sp->plan.mode == WLSYNC_BUCKETS ?
			    N_("drifted: the differing buckets are fixed") :
			    N_("changed since the last sync from here: the changes are written");
			return;
		}
		free(cause);
		cause = NULL;
		wlsync_plan_free(&sp->plan);
	}
	sp->how = WLSITE_STAGE;
	sp->why = N_("staged by broadcast, committed in its session");
	s->nstage++;
}

/* After the plan: one version for all, the per-pile plans made. */
static void
site_plan_done(struct wlsite *s)
{
	struct wlsite_pile	*sp;
	uint32_t		 v = 0;
	size_t			 i;
	char			*cause = NULL;

	if (s->version == 0) {
		for (i = 0; i < s->npiles; i++)
			if (s->piles[i].how != WLSITE_UNREACHABLE &&
			    s->piles[i].before.version > v)
				v = s->piles[i].before.version;
		s->version = v + 1;
	}
	for (i = 0; i < s->npiles; i++) {
		sp = &s->piles[i];
		if (sp->how == WLSITE_DIFF)
			sp->plan.new_version = s->version;
		if (sp->how != WLSITE_PERPILE)
			continue;
		if (wlsync_plan(sp->pile, &sp->id, s->want, s->nwant, s->version, 0,
		    &sp->plan, &cause) != 0)
			site_fail(sp, cause);
		cause = NULL;
	}
}

size_t
wlsite_too_big(const struct wlsite *s)
{
	size_t	i, n = 0;

	for (i = 0; i < s->npiles; i++)
		if (s->piles[i].too_big)
			n++;
	return n;
}

static int
site_broadcast(struct wlsite *s, uint16_t index)
{
	uint16_t	regs[PROTO_STAGE_CHUNK_REGS];
	size_t		first = (size_t)index * PROTO_WL_WINDOW_ENTRIES, k;
	char		*cause = NULL;
	int		rc;

	k = first < s->nwant ? s->nwant - first : 0;
	if (k > PROTO_WL_WINDOW_ENTRIES)
		k = PROTO_WL_WINDOW_ENTRIES;
	proto_stage_chunk_encode(s->transfer, index, s->nchunks, s->want + first,
	    (unsigned)k, regs);
	rc = pile_bus_broadcast(s->bus, PROTO_A_STAGE_TRANSFER, PROTO_STAGE_CHUNK_REGS,
	    regs, PROTO_STAGE_TURNAROUND_MS, &cause);
	free(cause);
	s->broadcasts++;
	return rc;
}

static int
site_unicast(struct wlsite *s, struct wlsite_pile *sp, uint16_t index, char **cause)
{
	uint16_t	regs[PROTO_STAGE_CHUNK_REGS];
	size_t		first = (size_t)index * PROTO_WL_WINDOW_ENTRIES, k;

	k = first < s->nwant ? s->nwant - first : 0;
	if (k > PROTO_WL_WINDOW_ENTRIES)
		k = PROTO_WL_WINDOW_ENTRIES;
	proto_stage_chunk_encode(s->transfer, index, s->nchunks, s->want + first,
	    (unsigned)k, regs);
	sp->resent++;
	s->resent++;
	return pile_stage_chunk(sp->pile, regs, cause);
}

static int
u16cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Which chunks several staging piles missed: those go to all again. */
static void
site_check(struct wlsite *s)
{
	struct pile_stage_status	 st;
	struct wlsite_pile		*sp;
	uint16_t			*miss, *count;
	size_t				 i, c;
	int				 n;
	char				*cause = NULL;

	count = xcalloc(s->nchunks, sizeof *count);
	miss = xcalloc(s->nchunks, sizeof *miss);
	for (i = 0; i < s->npiles; i++) {
		sp = &s->piles[i];
		if (sp->how != WLSITE_STAGE || sp->done)
			continue;
		if (pile_stage_status(sp->pile, &st, &cause) != 0 ||
		    st.transfer != s->transfer || st.received == st.total) {
			free(cause);
			cause = NULL;
			continue;
		}
		n = pile_stage_missing(sp->pile, s->nchunks, miss, s->nchunks, &cause);
		free(cause);
		cause = NULL;
		while (n-- > 0)
			count[miss[n]]++;
	}
	free(s->again);
	s->again = miss;
	s->nagain = 0;
	for (c = 0; c < s->nchunks; c++)
		if (count[c] >= 2)
			s->again[s->nagain++] = (uint16_t)c;
	qsort(s->again, s->nagain, sizeof *s->again, u16cmp);
	free(count);
}

/* Commit; when chunks are missing, send those to this pile alone and
 * commit again; then read version and digest back. */
static void
site_commit(struct wlsite *s, struct wlsite_pile *sp)
{
	uint16_t	*miss;
	unsigned	 result = PROTO_COMMIT_MISSING;
	char		*cause = NULL;
	int		 n, i, rc;

	miss = xcalloc(s->nchunks, sizeof *miss);
	while (sp->commits < SITE_COMMITS) {
		sp->commits++;
		rc = pile_stage_commit(sp->pile, s->transfer, s->version,
		    (uint32_t)s->nwant, s->sha, &result, &cause);
		if (rc != 0)
			goto fail;
		if (result != PROTO_COMMIT_MISSING && result != PROTO_COMMIT_NO_TRANSFER)
			break;
		if (result == PROTO_COMMIT_NO_TRANSFER) {
			/* Lost its staging area (power): all of it again. */
			for (i = 0; i < s->nchunks; i++)
				if ((rc = site_unicast(s, sp, (uint16_t)i, &cause)) != 0)
					goto fail;
			continue;
		}
		n = pile_stage_missing(sp->pile, s->nchunks, miss, s->nchunks, &cause);
		if (n < 0) {
			rc = n;
			goto fail;
		}
		for (i = 0; i < n; i++)
			if ((rc = site_unicast(s, sp, miss[i], &cause)) != 0)
				goto fail;
	}
	free(miss);
	miss = NULL;
	if (result != PROTO_COMMIT_OK) {
		site_fail(sp, xasprintf(_("the pile refused the commit: %s"),
		    _(proto_enum_str(PROTO_ENUM_COMMIT_RESULT, result))));
		return;
	}
	if ((rc = pile_wl_status(sp->pile, &sp->after, &cause)) != 0)
		goto fail;
	sp->done = 1;
	if (sp->after.digest != s->want_digest || sp->after.count != s->nwant ||
	    sp->after.version != s->version) {
		site_fail(sp, xasprintf(_("the pile took the commit but reads back "
		    "%u entries, digest %08X, version %u; expected %zu, %08X, v%u"),
		    sp->after.count, sp->after.digest, sp->after.version, s->nwant,
		    s->want_digest, s->version));
		return;
	}
	sp->ok = 1;
	if (wlsync_state_save(sp->id.serial, sp->after.version, sp->after.digest,
	    s->want, s->nwant, &cause) != 0)
		free(cause);	/* only the next sync's shortcut is lost */
	return;
fail:
	free(miss);
	site_fail_rc(sp, rc, cause);
}

static void
site_apply(struct wlsite_pile *sp)
{
	char	*cause = NULL;
	int	 rc;

	if ((rc = wlsync_apply(sp->pile, &sp->id, &sp->plan, NULL, NULL, &cause)) != 0) {
		site_fail_rc(sp, rc, cause);
		return;
	}
	sp->done = sp->ok = 1;
	sp->after.version = sp->plan.new_version;
	sp->after.count = (uint32_t)sp->plan.nwant;
	sp->after.digest = sp->plan.want_digest;
}

int
wlsite_step(struct wlsite *s, int plan_only)
{
	struct wlsite_pile	*sp;

	switch (s->phase) {
	case PH_PLAN:
		if (s->at < s->npiles) {
			site_plan(s, &s->piles[s->at++]);
			return 1;
		}
		site_plan_done(s);
		if (plan_only || wlsite_too_big(s) > 0) {
			s->phase = PH_DONE;
			return 0;
		}
		s->phase = s->nstage > 0 ? PH_BROADCAST : PH_COMMIT;
		s->at = 0;
		s->stage_ms = mono_ms();
		return 1;
	case PH_BROADCAST:
		if (s->at < s->nchunks) {
			site_broadcast(s, (uint16_t)s->at++);
			return 1;
		}
		s->phase = PH_CHECK;
		return 1;
	case PH_CHECK:
		if (s->nstage < 2 || s->round >= SITE_ROUNDS) {
			s->phase = PH_COMMIT;
			s->at = 0;
			return 1;
		}
		site_check(s);
		s->round++;
		s->phase = s->nagain > 0 ? PH_AGAIN : PH_COMMIT;
		s->at = 0;
		return 1;
	case PH_AGAIN:
		if (s->at < s->nagain) {
			site_broadcast(s, s->again[s->at++]);
			s->rebroadcast++;
			return 1;
		}
		s->phase = PH_CHECK;
		return 1;
	case PH_COMMIT:
		if (s->at < s->npiles) {
			sp = &s->piles[s->at++];
			if (sp->done)
				return 1;
			if (sp->how == WLSITE_STAGE)
				site_commit(s, sp);
			else if (sp->how == WLSITE_DIFF || sp->how == WLSITE_PERPILE)
				site_apply(sp);
			else if (sp->how == WLSITE_NONE) {
				sp->done = sp->ok = 1;
				sp->after = sp->before;
			}
			return 1;
		}
		s->phase = PH_DONE;
		return 0;
	}
	return 0;
}

const char *
wlsite_phase(const struct wlsite *s, size_t *done, size_t *total)
{
	switch (s->phase) {
	case PH_PLAN:
		*done = s->at;
		*total = s->npiles;
		return N_("piles planned");
	case PH_BROADCAST:
		*done = s->at;
		*total = s->nchunks;
		return N_("chunks broadcast");
	case PH_CHECK:
	case PH_AGAIN:
		*done = s->at;
		*total = s->nagain;
		return N_("chunks broadcast again");
	default:
		*done = s->at;
		*total = s->npiles;
		return N_("piles committed");
	}
}
