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

/* Sub-states of PH_PLAN, PH_CHECK and PH_COMMIT. */
enum { SUB_NEXT, SUB_IDENT, SUB_STATUS, SUB_MISSING, SUB_PUT, SUB_CMD, SUB_WRITE,
	SUB_RESULT, SUB_VERIFY, SUB_PLAN, SUB_REPLAN };

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
	size_t	i;

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
	pile_stage_digest(s->want, n, s->sha);
	s->nchunks = pile_stage_chunks(n);
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
	free(s->count);
	free(s->miss);
	free(s->werr);
	pile_stage_put_free(&s->put);
	pile_write_free(&s->w);
	if (s->planning)
		wlsync_planner_free(&s->pr);
	pile_xfer_reset(&s->x);
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

/* The identity was read: the key. */
static void
site_key(struct wlsite *s, struct wlsite_pile *sp)
{
	uint8_t		 key[PROTO_KEY_BYTES];
	char		*cause = NULL;

	if (keys_lookup(s->keys_file, sp->id.serial, key, &cause) == 0)
		pile_set_key(sp->pile, key);
	else
		free(cause);	/* said when a write is refused */
	sodium_memzero(key, sizeof key);
}

/* Identity and status read: how this pile gets the list. 1 when a pile
 * close to the list is planned first (site_plan_start, then
 * site_decide_diff), else 0 with sp->how set. */
static int
site_decide(struct wlsite *s, struct wlsite_pile *sp)
{
	if (sp->id.wl_capacity != 0 && s->nwant > sp->id.wl_capacity) {
		sp->how = WLSITE_NONE;
		sp->too_big = 1;
		sp->why = N_("the list exceeds its whitelist capacity");
		site_fail(sp, xasprintf(_("the list has %zu cards but the pile holds "
		    "at most %u (identity.whitelist_capacity)"), s->nwant,
		    sp->id.wl_capacity));
		return 0;
	}
	if (sp->before.digest == s->want_digest && sp->before.count == s->nwant) {
		sp->how = WLSITE_NONE;
		sp->why = N_("already holds this list");
		return 0;
	}
	if (!(sp->id.caps & PROTO_CAP_STAGING)) {
		sp->how = WLSITE_PERPILE;
		sp->why = N_("protocol 1.0 (no staging): per-pile writes");
		return 0;
	}
	/* Close to the list (drifted, or one edit behind): fixing the
	 * differences may cost less than the pile's share of a commit. */
	if (sp->before.count > 0 && (sp->id.caps & PROTO_CAP_BUCKETS) &&
	    (sp->before.count > s->nwant ? sp->before.count - s->nwant :
	    s->nwant - sp->before.count) < s->nwant / 8 + 1)
		return 1;
	sp->how = WLSITE_STAGE;
	sp->why = N_("staged by broadcast, committed in its session");
	s->nstage++;
	return 0;
}

/* The plan of a pile close to the list is made (rc 0) or failed: the
 * differences are written when they are few, else it is staged. */
static void
site_decide_diff(struct wlsite *s, struct wlsite_pile *sp, int rc, char *cause)
{
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
	wlsync_plan_free(&sp->plan);
	sp->how = WLSITE_STAGE;
	sp->why = N_("staged by broadcast, committed in its session");
	s->nstage++;
}

/* Starts the plan of sp (allow_read: it may read the whole list); -1 with
 * *cause when it cannot (the plan is freed). */
static int
site_plan_start(struct wlsite *s, struct wlsite_pile *sp, int allow_read, int *rc,
    char **cause)
{
	*rc = wlsync_planner_begin(&s->pr, sp->pile, &sp->id, s->want, s->nwant,
	    s->version, 0, allow_read, &sp->plan, cause);
	if (*rc != 0) {
		wlsync_planner_free(&s->pr);
		wlsync_plan_free(&sp->plan);
		return -1;
	}
	s->planning = 1;
	return 0;
}

/* The plan under way: PILE_XFER_PENDING with its next request in x, else
 * finished with *rc (0, or PILE_E_* / -1 with *cause). */
static int
site_plan_move(struct wlsite *s, struct pile_xfer *x, int *rc, char **cause)
{
	*rc = wlsync_planner_next(&s->pr, x, cause);
	if (*rc == PILE_XFER_PENDING)
		return PILE_XFER_PENDING;
	wlsync_planner_free(&s->pr);
	s->planning = 0;
	return 0;
}

/* After the plan: one version for all. */
static void
site_version(struct wlsite *s)
{
	uint32_t	v = 0;
	size_t		i;

	if (s->version == 0) {
		for (i = 0; i < s->npiles; i++)
			if (s->piles[i].how != WLSITE_UNREACHABLE &&
			    s->piles[i].before.version > v)
				v = s->piles[i].before.version;
		s->version = v + 1;
	}
	for (i = 0; i < s->npiles; i++)
		if (s->piles[i].how == WLSITE_DIFF)
			s->piles[i].plan.new_version = s->version;
}

/* A 1.0 pile's plan (reads its list unless this laptop recorded it), or
 * the plan read again after a CRC-16 collision (s->planning set by
 * wlsync_planner_reread), a transaction a call: PILE_XFER_PENDING with
 * the request in x, else 0 (sp failed when the plan did). */
static int
site_plan_perpile(struct wlsite *s, struct wlsite_pile *sp, struct pile_xfer *x)
{
	char	*cause = NULL;
	int	 rc;

	if (!s->planning && site_plan_start(s, sp, 1, &rc, &cause) != 0) {
		site_fail_rc(sp, rc < 0 ? PILE_E_PROTOCOL : rc, cause);
		return 0;
	}
	if (site_plan_move(s, x, &rc, &cause) == PILE_XFER_PENDING)
		return PILE_XFER_PENDING;
	if (rc != 0) {
		wlsync_plan_free(&sp->plan);
		site_fail_rc(sp, rc, cause);
	}
	return 0;
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

int
wlsite_committing(const struct wlsite *s)
{
	return s->committing;
}

int
wlsite_between(const struct wlsite *s)
{
	/* A pile's first plan writes nothing: stopping in it leaves the pile
	 * as it was (a plan read again follows its commands: SUB_REPLAN). */
	return s->phase != PH_COMMIT || s->sub == SUB_NEXT || s->sub == SUB_PLAN;
}

static int
site_broadcast(struct wlsite *s, struct pile_xfer *x, uint16_t index)
{
	uint16_t	regs[PROTO_STAGE_CHUNK_REGS];

	pile_stage_chunk_regs(s->want, s->nwant, s->transfer, index, regs);
	pile_bus_broadcast_request(x, PROTO_A_STAGE_TRANSFER, PROTO_STAGE_CHUNK_REGS,
	    regs, PROTO_STAGE_TURNAROUND_MS);
	s->broadcasts++;
	return PILE_XFER_PENDING;
}

static int
u16cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The chunks several staging piles missed go to all again. */
static void
site_check_done(struct wlsite *s)
{
	size_t	c;

	free(s->again);
	s->again = xcalloc(s->nchunks, sizeof *s->again);
	s->nagain = 0;
	for (c = 0; c < s->nchunks; c++)
		if (s->count[c] >= 2)
			s->again[s->nagain++] = (uint16_t)c;
	qsort(s->again, s->nagain, sizeof *s->again, u16cmp);
	free(s->count);
	free(s->miss);
	s->count = s->miss = NULL;
	s->round++;
	s->phase = s->nagain > 0 ? PH_AGAIN : PH_COMMIT;
	s->at = 0;
	s->sub = 0;
}

/* The commit of a staging pile ended: check what it reads back. */
static void
site_put_done(struct wlsite *s, struct wlsite_pile *sp, int rc, char *cause)
{
	sp->commits = s->put.commits;
	sp->resent = s->put.sent;
	s->resent += s->put.sent;
	sp->after = s->put.after;
	pile_stage_put_free(&s->put);
	if (rc != 0) {
		site_fail_rc(sp, rc, cause);
		return;
	}
	if (s->put.result != PROTO_COMMIT_OK) {
		site_fail(sp, xasprintf(_("the pile refused the commit: %s"),
		    _(proto_enum_str(PROTO_ENUM_COMMIT_RESULT, s->put.result))));
		return;
	}
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
}

/* A per-pile command (wlsync's plan) ended with rc: the next one, or the
 * pile's end. */
static void
site_cmd_done(struct wlsite *s, struct wlsite_pile *sp, int rc, char *cause)
{
	char	*why = NULL;

	if (rc != 0) {
		rc = wlsync_stopped(&sp->plan, rc, cause, &why);
		site_fail_rc(sp, rc, why);
		s->sub = SUB_NEXT;
		s->at++;
		return;
	}
	sp->plan.ndone++;
	s->sub = SUB_CMD;
}

/* PH_COMMIT: the pile at s->at, a transaction at a time. */
static int
site_commit_next(struct wlsite *s, struct pile_xfer *x)
{
	struct wlsite_pile		*sp = &s->piles[s->at];
	const struct proto_wl_entry	*e;
	struct pile_wl_status		 st;
	uint16_t			 regs[PILE_WL_COMMAND_REGS];
	uint32_t			 version;
	size_t				 k;
	char				*cause = NULL;
	int				 rc, n;

	switch (s->sub) {
	case SUB_NEXT:
		if (sp->done) {
			s->at++;
			return 0;
		}
		if (sp->how == WLSITE_NONE) {
			sp->done = sp->ok = 1;
			sp->after = sp->before;
			s->at++;
			return 0;
		}
		if (sp->how == WLSITE_STAGE) {
			pile_stage_put_begin(&s->put, s->want, s->nwant, s->transfer,
			    s->version, s->sha, 0);
			s->committing = 1;
			pile_xfer_reset(x);
			s->sub = SUB_PUT;
			return site_commit_next(s, x);
		}
		if (sp->how == WLSITE_PERPILE && sp->plan.want == NULL) {
			s->sub = SUB_PLAN;
			return 0;
		}
		s->committing = 1;
		s->sub = SUB_CMD;
		return 0;
	case SUB_PLAN:
	case SUB_REPLAN:
		if (site_plan_perpile(s, sp, x) == PILE_XFER_PENDING)
			return PILE_XFER_PENDING;
		if (sp->done) {
			s->sub = SUB_NEXT;
			s->at++;
			return 0;
		}
		s->committing = 1;
		s->sub = SUB_CMD;
		return 0;
	case SUB_PUT:
		rc = pile_stage_put_next(sp->pile, &s->put, x, &cause);
		if (rc == PILE_XFER_PENDING)
			return rc;
		site_put_done(s, sp, rc, cause);
		s->sub = SUB_NEXT;
		s->at++;
		return 0;
	case SUB_CMD:
		if (!wlsync_next_command(&sp->plan, &s->cmd, &version, &e, &k)) {
			pile_wl_status_request(sp->pile, x);
			s->sub = SUB_VERIFY;
			return PILE_XFER_PENDING;
		}
		if ((n = pile_wl_command_encode(s->cmd, version, e, (int)k, regs,
		    &cause)) < 0) {
			site_cmd_done(s, sp, n, cause);
			return 0;
		}
		pile_write_free(&s->w);
		pile_write_begin(&s->w, PROTO_A_WL_CMD, (uint16_t)n, regs);
		pile_xfer_reset(x);
		s->sub = SUB_WRITE;
		return site_commit_next(s, x);
	case SUB_WRITE:
		free(s->werr);
		s->werr = NULL;
		rc = pile_write_next(sp->pile, &s->w, x, &s->werr);
		if (rc == PILE_XFER_PENDING)
			return rc;
		s->wrc = rc;
		if (pile_wl_command_check(s->cmd, rc)) {
			pile_wl_result_request(sp->pile, x);
			s->sub = SUB_RESULT;
			return PILE_XFER_PENDING;
		}
		rc = pile_wl_command_outcome(sp->pile, s->cmd, rc, s->werr, NULL, &cause);
		s->werr = NULL;
		site_cmd_done(s, sp, rc, cause);
		return 0;
	case SUB_RESULT:
		rc = pile_wl_command_outcome(sp->pile, s->cmd, s->wrc, s->werr, x, &cause);
		s->werr = NULL;
		site_cmd_done(s, sp, rc, cause);
		return 0;
	case SUB_VERIFY:
		if ((rc = pile_wl_status_parse(x, &st, &cause)) != 0 ||
		    (rc = wlsync_verify_status(sp->pile, &sp->id, &sp->plan, &st,
		    &cause)) < 0) {
			site_fail_rc(sp, rc, cause);
		} else if (rc == 1) {
			/* The bucket digests missed a difference: the list
			 * is read whole, then its commands. */
			wlsync_planner_reread(&s->pr, sp->pile, &sp->id, &sp->plan);
			s->planning = 1;
			s->sub = SUB_REPLAN;
			return 0;
		} else {
			sp->done = sp->ok = 1;
			sp->after.version = sp->plan.new_version;
			sp->after.count = (uint32_t)sp->plan.nwant;
			sp->after.digest = sp->plan.want_digest;
		}
		s->sub = SUB_NEXT;
		s->at++;
		return 0;
	}
	return 0;
}

/* PH_PLAN: identity and status of the pile at s->at. */
static int
site_plan_next(struct wlsite *s, struct pile_xfer *x)
{
	struct wlsite_pile	*sp = &s->piles[s->at];
	char			*cause = NULL;
	int			 rc;

	switch (s->sub) {
	case SUB_NEXT:
		pile_identity_request(sp->pile, x);
		s->sub = SUB_IDENT;
		return PILE_XFER_PENDING;
	case SUB_IDENT:
		if ((rc = pile_identity_parse(sp->pile, x, &sp->id, &cause)) != 0)
			break;
		site_key(s, sp);
		pile_wl_status_request(sp->pile, x);
		s->sub = SUB_STATUS;
		return PILE_XFER_PENDING;
	case SUB_STATUS:
		if ((rc = pile_wl_status_parse(x, &sp->before, &cause)) != 0)
			break;
		if (site_decide(s, sp) == 1) {
			/* Planned without reading the whole list. */
			if (site_plan_start(s, sp, 0, &rc, &cause) != 0)
				site_decide_diff(s, sp, rc == 0 ? -1 : rc, cause);
			else {
				s->sub = SUB_PLAN;
				return 0;
			}
		}
		s->sub = SUB_NEXT;
		s->at++;
		return 0;
	case SUB_PLAN:
		if (site_plan_move(s, x, &rc, &cause) == PILE_XFER_PENDING)
			return PILE_XFER_PENDING;
		site_decide_diff(s, sp, rc, cause);
		s->sub = SUB_NEXT;
		s->at++;
		return 0;
	default:
		return 0;
	}
	sp->how = WLSITE_UNREACHABLE;
	sp->why = N_("no answer");
	site_fail_rc(sp, rc, cause);
	s->sub = SUB_NEXT;
	s->at++;
	return 0;
}

/* PH_CHECK: which chunks each staging pile misses, counted per chunk. */
static int
site_check_next(struct wlsite *s, struct pile_xfer *x)
{
	struct pile_stage_status	 st;
	struct wlsite_pile		*sp;
	char				*cause = NULL;
	int				 n;

	switch (s->sub) {
	case SUB_NEXT:
		for (; s->ci < s->npiles; s->ci++) {
			sp = &s->piles[s->ci];
			if (sp->how == WLSITE_STAGE && !sp->done)
				break;
		}
		if (s->ci >= s->npiles) {
			site_check_done(s);
			return 0;
		}
		pile_stage_status_request(s->piles[s->ci].pile, x);
		s->sub = SUB_STATUS;
		return PILE_XFER_PENDING;
	case SUB_STATUS:
		sp = &s->piles[s->ci];
		if (pile_stage_status_parse(x, &st, &cause) != 0 ||
		    st.transfer != s->transfer || st.received == st.total) {
			free(cause);
			s->ci++;
			s->sub = SUB_NEXT;
			return 0;
		}
		s->mcur = 0;
		pile_stage_missing_request(sp->pile, x, s->mcur);
		s->sub = SUB_MISSING;
		return PILE_XFER_PENDING;
	case SUB_MISSING:
		sp = &s->piles[s->ci];
		n = pile_stage_missing_parse(sp->pile, x, s->mcur, s->nchunks, s->miss,
		    s->nchunks, &cause);
		free(cause);
		while (n-- > 0)
			s->count[s->miss[n]]++;
		if ((uint32_t)s->mcur + PROTO_STAGE_MISSING_BITS < s->nchunks) {
			s->mcur += PROTO_STAGE_MISSING_BITS;
			pile_stage_missing_request(sp->pile, x, s->mcur);
			return PILE_XFER_PENDING;
		}
		s->ci++;
		s->sub = SUB_NEXT;
		return 0;
	}
	return 0;
}

/* One move of the machine: PILE_XFER_PENDING with a request in x, 0 when
 * it moved without one (call again), -1 when finished. */
static int
site_move(struct wlsite *s, struct pile_xfer *x, int plan_only)
{
	switch (s->phase) {
	case PH_PLAN:
		if (s->at < s->npiles)
			return site_plan_next(s, x);
		site_version(s);
		if (plan_only) {
			/* A dry run says what the 1.0 piles would get. */
			for (; s->ci < s->npiles; s->ci++)
				if (s->piles[s->ci].how == WLSITE_PERPILE &&
				    !s->piles[s->ci].done) {
					if (site_plan_perpile(s, &s->piles[s->ci], x) ==
					    PILE_XFER_PENDING)
						return PILE_XFER_PENDING;
					s->ci++;
					return 0;
				}
		}
		if (plan_only || wlsite_too_big(s) > 0) {
			s->phase = PH_DONE;
			return -1;
		}
		s->phase = s->nstage > 0 ? PH_BROADCAST : PH_COMMIT;
		s->at = s->ci = 0;
		s->sub = SUB_NEXT;
		s->stage_ms = mono_ms();
		return 0;
	case PH_BROADCAST:
		if (s->at < s->nchunks)
			return site_broadcast(s, x, (uint16_t)s->at++);
		s->phase = PH_CHECK;
		return 0;
	case PH_CHECK:
		if (s->count == NULL) {
			if (s->nstage < 2 || s->round >= SITE_ROUNDS) {
				s->phase = PH_COMMIT;
				s->at = 0;
				s->sub = SUB_NEXT;
				return 0;
			}
			s->count = xcalloc(s->nchunks, sizeof *s->count);
			s->miss = xcalloc(s->nchunks, sizeof *s->miss);
			s->ci = 0;
			s->sub = SUB_NEXT;
		}
		return site_check_next(s, x);
	case PH_AGAIN:
		if (s->at < s->nagain) {
			s->rebroadcast++;
			return site_broadcast(s, x, s->again[s->at++]);
		}
		s->phase = PH_CHECK;
		return 0;
	case PH_COMMIT:
		if (s->at < s->npiles)
			return site_commit_next(s, x);
		s->phase = PH_DONE;
		return -1;
	}
	return -1;
}

int
wlsite_next(struct wlsite *s, struct pile_xfer *x, int plan_only)
{
	int	rc;

	while ((rc = site_move(s, x, plan_only)) == 0)
		;
	return rc == PILE_XFER_PENDING ? rc : 0;
}

int
wlsite_step(struct wlsite *s, int plan_only)
{
	if (wlsite_next(s, &s->x, plan_only) != PILE_XFER_PENDING)
		return 0;
	pile_bus_transact(s->bus, &s->x);
	return 1;
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
		*done = s->ci;
		*total = s->npiles;
		return N_("piles checked");
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
