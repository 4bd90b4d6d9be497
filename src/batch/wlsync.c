/* wlsync.c - differential whitelist sync: decide what the pile holds (record,
 * read, or nothing to know), diff it with the wanted list, send only the
 * changes, verify by digest and record the result. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/cmd-util.h"
#include "batch/wlsync.h"

static int
wlsync_cmp(const void *a, const void *b)
{
	return strcmp(((const struct proto_wl_entry *)a)->uid,
	    ((const struct proto_wl_entry *)b)->uid);
}

int
wlsync_sort(struct proto_wl_entry *e, size_t n, char **cause)
{
	size_t	i;

	if (n > 1)
		qsort(e, n, sizeof *e, wlsync_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(e[i - 1].uid, e[i].uid) == 0)
			return set_cause(cause, -1, _("card '%s' is listed twice"),
			    e[i].uid);
	return 0;
}

#define wlsync_wire	proto_wl_entry_wire

uint32_t
wlsync_digest(const struct proto_wl_entry *e, size_t n)
{
	uint8_t		wire[2 * PROTO_WL_ENTRY_REGS];
	uint32_t	crc = 0;
	size_t		i;

	for (i = 0; i < n; i++) {
		wlsync_wire(&e[i], wire);
		crc = proto_crc32_update(crc, wire, sizeof wire);
	}
	return crc;
}

/* Same bytes on the wire: what the pile would store is the same. */
static int
wlsync_same(const struct proto_wl_entry *a, const struct proto_wl_entry *b)
{
	uint8_t	wa[2 * PROTO_WL_ENTRY_REGS], wb[2 * PROTO_WL_ENTRY_REGS];

	wlsync_wire(a, wa);
	wlsync_wire(b, wb);
	return memcmp(wa, wb, sizeof wa) == 0;
}

const char *
wlsync_mode_str(enum wlsync_mode m)
{
	switch (m) {
	case WLSYNC_NONE:
		return "none";
	case WLSYNC_CACHED:
		return "cached";
	case WLSYNC_READ:
		return "read";
	case WLSYNC_FULL:
		return "full";
	case WLSYNC_BUCKETS:
		return "buckets";
	case WLSYNC_STAGED:
		return "staged";
	}
	return "unknown";
}

static size_t
wlsync_groups(size_t n)
{
	return (n + PROTO_WL_WINDOW_ENTRIES - 1) / PROTO_WL_WINDOW_ENTRIES;
}

/* Both lists sorted: upserts for what is new or different, removes for what
 * the pile has and the list does not. */
static void
wlsync_diff(struct wlsync_plan *pl, const struct proto_wl_entry *have, size_t nhave)
{
	const struct proto_wl_entry	*want = pl->want;
	size_t				 i = 0, j = 0, nw = pl->nwant;
	int				 c;

	pl->upserts = xcalloc(nw + 1, sizeof *pl->upserts);
	pl->removes = xcalloc(nhave + 1, sizeof *pl->removes);
	while (i < nw || j < nhave) {
		if (i == nw)
			c = 1;
		else if (j == nhave)
			c = -1;
		else
			c = strcmp(want[i].uid, have[j].uid);
		if (c < 0) {
			pl->upserts[pl->nadd + pl->nchange] = want[i++];
			pl->nadd++;
		} else if (c > 0)
			pl->removes[pl->nremove++] = have[j++];
		else {
			if (!wlsync_same(&want[i], &have[j]))
				pl->upserts[pl->nadd + pl->nchange++] = want[i];
			i++;
			j++;
		}
	}
	/* An empty list is one clear, however much the pile holds. */
	if (nw == 0 && pl->nremove > 0) {
		pl->clear = 1;
		pl->ncommands = 1;
	} else
		pl->ncommands = wlsync_groups(pl->nremove) +
		    wlsync_groups(pl->nadd + pl->nchange);
}

static void
wlsync_full(struct wlsync_plan *pl)
{
	free(pl->upserts);
	free(pl->removes);
	pl->removes = NULL;
	pl->upserts = xcalloc(pl->nwant + 1, sizeof *pl->upserts);
	if (pl->nwant > 0)
		memcpy(pl->upserts, pl->want, pl->nwant * sizeof *pl->want);
	pl->mode = WLSYNC_FULL;
	pl->clear = 1;
	pl->nadd = pl->nwant;
	pl->nchange = 0;
	pl->nremove = pl->pile.count;
	pl->ncommands = 1 + wlsync_groups(pl->nwant);
}

/* ---- the planner: a transaction at a time ------------------------------- */

enum { PL_START, PL_STATUS, PL_DIGESTS, PL_BUCKETS, PL_READ, PL_DONE, PL_REREAD };

/* A failure while planning (err taken), naming the pile. */
static int
wlsync_planner_failed(struct wlsync_planner *pr, int rc, char *err, char **cause)
{
	char	label[80];

	snprintf(label, sizeof label, _("pile '%s' (address %u)"), pr->id->serial,
	    pile_addr(pr->pile));
	rc = set_cause(cause, rc, _("cannot plan the whitelist sync of %s: %s"), label,
	    err != NULL ? err : _("failed"));
	free(err);
	pr->state = PL_DONE;
	return rc;
}

static void
wlsync_planner_progress(struct wlsync_planner *pr, const char *what, size_t done,
    size_t total)
{
	pr->what = what;
	pr->done = done;
	pr->total = total;
}

/* The plan is made: the version it ends with and its command count. */
static int
wlsync_planner_done(struct wlsync_planner *pr)
{
	struct wlsync_plan	*pl = pr->pl;

	pr->state = PL_DONE;
	wlsync_planner_progress(pr, NULL, 0, 0);
	if (pr->reread) {
		/* new_version stays the first plan's: the last command sets
		 * it, and verify expects it. */
		if (pl->ncommands == 0)
			pl->ncommands = 1;	/* the version at least */
		return 0;
	}
	if (pr->version != 0)
		pl->new_version = pr->version;
	else if (pl->ncommands > 0)
		pl->new_version = pl->pile.version + (uint32_t)pl->ncommands;
	else
		pl->new_version = pl->pile.version;
	/* Only a version to set: one command that carries no entries. */
	if (pl->ncommands == 0 && pl->new_version != pl->pile.version)
		pl->ncommands = 1;
	return 0;
}

/* READ: the whole list, unless the caller would rather not (allow_read 0:
 * the plan says READ and holds no changes). */
static int
wlsync_planner_read(struct wlsync_planner *pr, struct pile_xfer *x, char **cause)
{
	struct wlsync_plan	*pl = pr->pl;

	(void)cause;
	pl->mode = WLSYNC_READ;
	if (!pr->allow_read) {
		pl->upserts = xcalloc(1, sizeof *pl->upserts);
		pl->removes = xcalloc(1, sizeof *pl->removes);
		return wlsync_planner_done(pr);
	}
	pr->state = PL_READ;
	wl_reader_free(&pr->rd);
	/* The status just read is the read's first. */
	wl_reader_start(pr->pile, &pr->rd, &pl->pile, x);
	wlsync_planner_progress(pr, N_("cards"), 0, pl->pile.count);
	return PILE_XFER_PENDING;
}

/* The whole list was read: diff it, or FULL when it cannot be trusted. */
static int
wlsync_planner_read_done(struct wlsync_planner *pr)
{
	struct wlsync_plan	*pl = pr->pl;
	struct wl_reader	*rd = &pr->rd;
	size_t			 i;

	pl->nread = rd->have;
	for (i = 1; i < rd->have; i++)
		if (strcmp(rd->all[i - 1].uid, rd->all[i].uid) >= 0)
			break;
	if (i < rd->have || rd->after.count != rd->have ||
	    wlsync_digest(rd->all, rd->have) != rd->after.digest) {
		pl->why = N_("what was read does not match the pile's digest");
		wlsync_full(pl);
	} else {
		pl->pile = rd->after;
		wlsync_diff(pl, rd->all, rd->have);
	}
	wl_reader_free(rd);
	return wlsync_planner_done(pr);
}

/* The pile's status is known: what must be read, if anything. */
static int
wlsync_planner_decide(struct wlsync_planner *pr, struct pile_xfer *x, char **cause)
{
	struct wlsync_plan	*pl = pr->pl;
	unsigned		 b;
	size_t			 i;
	uint8_t			 wire[PROTO_WL_ENTRY_BYTES];

	if (pr->force_full) {
		pl->why = N_("a full rewrite was asked for");
		wlsync_full(pl);
		return wlsync_planner_done(pr);
	}
	if (pl->pile.digest == pl->want_digest && pl->pile.count == pl->nwant) {
		pl->mode = WLSYNC_NONE;
		pl->why = N_("the pile already holds this list");
		pl->upserts = xcalloc(1, sizeof *pl->upserts);
		pl->removes = xcalloc(1, sizeof *pl->removes);
		return wlsync_planner_done(pr);
	}
	if (pl->recorded && pl->rec_version == pl->pile.version &&
	    pl->rec_digest == pl->pile.digest && pr->nrec == pl->pile.count) {
		pl->mode = WLSYNC_CACHED;
		pl->why = N_("unchanged since the last sync from here");
		wlsync_diff(pl, pr->rec, pr->nrec);
		return wlsync_planner_done(pr);
	}
	if (!pl->recorded)
		pl->why = N_("no sync of this pile is on record here");
	else
		pl->why = N_("the list was changed elsewhere since the last sync from "
		    "here");
	if (!(pr->id->caps & PROTO_CAP_BUCKETS))
		return wlsync_planner_read(pr, x, cause);

	/* 1.1 piles with bucket digests: compare the 4096 digests with the
	 * wanted list's, read only the buckets that differ (UID and check of
	 * each entry) and diff those. */
	pl->mode = WLSYNC_BUCKETS;
	pr->want_d = xcalloc(PROTO_WL_BUCKETS, sizeof *pr->want_d);
	pr->pile_d = xcalloc(PROTO_WL_BUCKETS, sizeof *pr->pile_d);
	pr->diff = xcalloc(PROTO_WL_BUCKETS, sizeof *pr->diff);
	pr->wb = xcalloc(pl->nwant + 1, sizeof *pr->wb);
	for (b = 0; b < PROTO_WL_BUCKETS; b++)
		pr->want_d[b] = 0xFFFF;
	for (i = 0; i < pl->nwant; i++) {
		pr->wb[i] = proto_wl_bucket(pl->want[i].uid);
		proto_wl_entry_wire(&pl->want[i], wire);
		pr->want_d[pr->wb[i]] = proto_crc16_update(pr->want_d[pr->wb[i]], wire,
		    sizeof wire);
	}
	pr->dcur = 0;
	pr->state = PL_DIGESTS;
	wlsync_planner_progress(pr, N_("bucket digests"), 0, PROTO_WL_BUCKETS);
	pile_wl_bucket_digests_request(pr->pile, x, pr->dcur);
	return PILE_XFER_PENDING;
}

/*
 * The differing buckets were read. What the pile holds, as far as the diff
 * cares: the wanted entries of the buckets that agree, plus what the pile
 * has in the others (UID only, which reads as "changed" against a wanted
 * entry, unless the entry's check matches the wanted one's).
 */
static int
wlsync_planner_buckets_done(struct wlsync_planner *pr, char **cause)
{
	struct wlsync_plan		*pl = pr->pl;
	const struct proto_bucket_item	*items = pr->br.items;
	struct proto_wl_entry		*have, *hb;
	size_t				 nitems = pr->br.nitems, nhave = 0, i, j;
	char				*err = NULL;

	pl->nread = nitems;
	have = xcalloc(pl->nwant + nitems + 1, sizeof *have);
	for (i = 0; i < pl->nwant; i++)
		if (pr->want_d[pr->wb[i]] == pr->pile_d[pr->wb[i]])
			have[nhave++] = pl->want[i];
	for (j = 0; j < nitems; j++) {
		hb = &have[nhave++];
		memset(hb, 0, sizeof *hb);
		snprintf(hb->uid, sizeof hb->uid, "%s", items[j].uid);
		for (i = 0; i < pl->nwant; i++)
			if (pr->wb[i] == items[j].bucket && strcmp(pl->want[i].uid,
			    items[j].uid) == 0) {
				if (proto_wl_entry_check(&pl->want[i]) == items[j].check)
					*hb = pl->want[i];
				else
					hb->status = 0;	/* differs: never equal */
				break;
			}
	}
	if (wlsync_sort(have, nhave, &err) != 0) {
		free(have);
		free(err);
		return wlsync_planner_failed(pr, PILE_E_PROTOCOL, xstrdup(_("its bucket "
		    "window named a card twice")), cause);
	}
	wlsync_diff(pl, have, nhave);
	free(have);
	return wlsync_planner_done(pr);
}

/* Every bucket digest is read: the buckets that differ, read if few. */
static int
wlsync_planner_compare(struct wlsync_planner *pr, struct pile_xfer *x, char **cause)
{
	struct wlsync_plan	*pl = pr->pl;
	unsigned		 b;

	pr->ndiff = 0;
	for (b = 0; b < PROTO_WL_BUCKETS; b++)
		if (pr->want_d[b] != pr->pile_d[b])
			pr->diff[pr->ndiff++] = (uint16_t)b;
	pl->nbuckets = pr->ndiff;
	if (pr->ndiff > WLSYNC_BUCKETS_MAX)	/* too much differs for it to pay */
		return wlsync_planner_read(pr, x, cause);
	pr->state = PL_BUCKETS;
	wlsync_planner_progress(pr, N_("buckets"), 0, pr->ndiff);
	pile_wl_buckets_begin(&pr->br, pr->diff, pr->ndiff);
	if (pile_wl_buckets_request(pr->pile, x, &pr->br))
		return PILE_XFER_PENDING;
	return wlsync_planner_buckets_done(pr, cause);
}

int
wlsync_planner_begin(struct wlsync_planner *pr, struct pile *p,
    const struct proto_identity *id, const struct proto_wl_entry *want, size_t n,
    uint32_t version, int force_full, int allow_read, struct wlsync_plan *pl,
    char **cause)
{
	char	*err = NULL, label[80];
	int	 rc;

	memset(pr, 0, sizeof *pr);
	memset(pl, 0, sizeof *pl);
	pr->pile = p;
	pr->id = id;
	pr->pl = pl;
	pr->version = version;
	pr->force_full = force_full;
	pr->allow_read = allow_read;
	pr->state = PL_DONE;	/* until the input is good */
	pl->want = xcalloc(n + 1, sizeof *pl->want);
	if (n > 0)
		memcpy(pl->want, want, n * sizeof *want);
	pl->nwant = n;
	if (wlsync_sort(pl->want, n, cause) != 0)
		return -1;
	snprintf(label, sizeof label, _("pile '%s' (address %u)"), id->serial,
	    pile_addr(p));
	if (id->wl_capacity != 0 && n > id->wl_capacity)
		return set_cause(cause, WLSYNC_TOO_BIG, _("the list has %zu cards "
		    "but %s holds at most %u (identity.whitelist_capacity): out of "
		    "storage; split the list or remove cards"), n, label,
		    id->wl_capacity);
	pl->want_digest = wlsync_digest(pl->want, n);
	rc = wlsync_state_load(id->serial, &pl->rec_version, &pl->rec_digest, &pr->rec,
	    &pr->nrec, &err);
	free(err);	/* a damaged record is no record: read the pile */
	pl->recorded = rc == 0;
	if (rc == 0 && wlsync_digest(pr->rec, pr->nrec) != pl->rec_digest)
		pl->recorded = 0;
	pr->state = PL_START;
	return 0;
}

void
wlsync_planner_reread(struct wlsync_planner *pr, struct pile *p,
    const struct proto_identity *id, struct wlsync_plan *pl)
{
	memset(pr, 0, sizeof *pr);
	pr->pile = p;
	pr->id = id;
	pr->pl = pl;
	pr->allow_read = 1;
	pr->reread = 1;
	free(pl->upserts);
	free(pl->removes);
	pl->upserts = pl->removes = NULL;
	pl->nadd = pl->nchange = pl->nremove = pl->ndone = pl->ncommands = 0;
	pl->clear = 0;
	pl->mode = WLSYNC_READ;
	pl->why = N_("the bucket digests missed a difference: the list was read "
	    "whole");
	pr->state = PL_REREAD;
}

int
wlsync_planner_next(struct wlsync_planner *pr, struct pile_xfer *x, char **cause)
{
	struct wlsync_plan	*pl = pr->pl;
	char			*err = NULL, *what;
	unsigned		 last;
	int			 rc;

	switch (pr->state) {
	case PL_START:
	case PL_REREAD:
		pr->state = pr->state == PL_START ? PL_STATUS : PL_READ;
		if (pr->state == PL_READ) {
			memset(&pr->rd, 0, sizeof pr->rd);
			wlsync_planner_progress(pr, N_("cards"), 0, 0);
			return wl_reader_next(pr->pile, &pr->rd, x, cause);
		}
		pile_wl_status_request(pr->pile, x);
		return PILE_XFER_PENDING;
	case PL_STATUS:
		if ((rc = pile_wl_status_parse(x, &pl->pile, &err)) != 0) {
			what = xasprintf(_("reading the whitelist status: %s"), err);
			free(err);
			return wlsync_planner_failed(pr, rc, what, cause);
		}
		return wlsync_planner_decide(pr, x, cause);
	case PL_DIGESTS:
		if ((rc = pile_wl_bucket_digests_parse(pr->pile, x, pr->dcur, pr->pile_d,
		    &err)) != 0) {
			last = pr->dcur + PROTO_N_WL_BUCKET_DIGESTS - 1u;
			if (last >= PROTO_WL_BUCKETS)
				last = PROTO_WL_BUCKETS - 1u;
			what = xasprintf(_("reading bucket digests %u to %u: %s"),
			    pr->dcur, last, err);
			free(err);
			return wlsync_planner_failed(pr, rc, what, cause);
		}
		pr->dcur += PROTO_N_WL_BUCKET_DIGESTS;
		if (pr->dcur < PROTO_WL_BUCKETS) {
			wlsync_planner_progress(pr, pr->what, pr->dcur, PROTO_WL_BUCKETS);
			pile_wl_bucket_digests_request(pr->pile, x, pr->dcur);
			return PILE_XFER_PENDING;
		}
		return wlsync_planner_compare(pr, x, cause);
	case PL_BUCKETS:
		if ((rc = pile_wl_buckets_parse(pr->pile, x, &pr->br, &err)) != 0) {
			what = xasprintf(_("reading the bucket window (buckets %zu to "
			    "%zu of the %zu that differ): %s"), pr->br.at + 1,
			    pr->br.at + pr->br.nlist, pr->ndiff, err);
			free(err);
			return wlsync_planner_failed(pr, rc, what, cause);
		}
		wlsync_planner_progress(pr, pr->what, pr->br.at, pr->ndiff);
		if (pile_wl_buckets_request(pr->pile, x, &pr->br))
			return PILE_XFER_PENDING;
		return wlsync_planner_buckets_done(pr, cause);
	case PL_READ:
		rc = wl_reader_next(pr->pile, &pr->rd, x, &err);
		if (rc == PILE_XFER_PENDING) {
			wlsync_planner_progress(pr, pr->what, pr->rd.have, pr->rd.total);
			return rc;
		}
		if (rc == PILE_E_PROTOCOL) {
			/* It kept changing under us, or an entry is malformed: a
			 * rewrite does not depend on what it holds. */
			free(err);
			pl->why = N_("the pile's list could not be read consistently");
			if (pr->reread)
				pl->pile.count = pr->rd.total;
			wl_reader_free(&pr->rd);
			wlsync_full(pl);
			return wlsync_planner_done(pr);
		}
		if (rc < 0)
			return wlsync_planner_failed(pr, rc, err, cause);
		return wlsync_planner_read_done(pr);
	case PL_DONE:
		return 0;
	}
	return set_cause(cause, -1, _("failed"));
}

void
wlsync_planner_free(struct wlsync_planner *pr)
{
	free(pr->rec);
	free(pr->want_d);
	free(pr->pile_d);
	free(pr->diff);
	free(pr->wb);
	free(pr->br.items);
	wl_reader_free(&pr->rd);
	memset(pr, 0, sizeof *pr);
}

/* The planner run to its end, blocking: each transaction with
 * pile_bus_transact. */
static int
wlsync_planner_run(struct wlsync_planner *pr, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	while ((rc = wlsync_planner_next(pr, &x, cause)) == PILE_XFER_PENDING)
		if (x.req.fc != 0)
			pile_bus_transact(pile_bus(pr->pile), &x);
	pile_xfer_reset(&x);
	return rc;
}

int
wlsync_plan(struct pile *p, const struct proto_identity *id,
    const struct proto_wl_entry *want, size_t n, uint32_t version, int force_full,
    struct wlsync_plan *pl, char **cause)
{
	return wlsync_plan_ex(p, id, want, n, version, force_full, 1, pl, cause);
}

int
wlsync_plan_ex(struct pile *p, const struct proto_identity *id,
    const struct proto_wl_entry *want, size_t n, uint32_t version, int force_full,
    int allow_read, struct wlsync_plan *pl, char **cause)
{
	struct wlsync_planner	pr;
	int			rc;

	rc = wlsync_planner_begin(&pr, p, id, want, n, version, force_full, allow_read,
	    pl, cause);
	if (rc == 0)
		rc = wlsync_planner_run(&pr, cause);
	wlsync_planner_free(&pr);
	return rc;
}

int
wlsync_plan_changes(const struct wlsync_plan *pl)
{
	return pl->ncommands > 0;
}

/* The plan's command number i: removes (or one clear), then upserts, 4
 * entries each, then the version alone when no command carried it. */
static void
wlsync_command(const struct wlsync_plan *pl, size_t i, unsigned *cmd,
    const struct proto_wl_entry **e, size_t *k)
{
	size_t	nrm = pl->clear ? 1 : wlsync_groups(pl->nremove);
	size_t	nup = pl->nadd + pl->nchange, ups = wlsync_groups(nup), at;

	*e = NULL;
	*k = 0;
	if (i < nrm && pl->clear) {
		*cmd = PROTO_WL_CLEAR;
		return;
	}
	if (i < nrm) {
		at = i * PROTO_WL_WINDOW_ENTRIES;
		*cmd = PROTO_WL_REMOVE;
		*e = pl->removes + at;
		*k = pl->nremove - at < PROTO_WL_WINDOW_ENTRIES ? pl->nremove - at :
		    PROTO_WL_WINDOW_ENTRIES;
		return;
	}
	if (i - nrm < ups) {
		at = (i - nrm) * PROTO_WL_WINDOW_ENTRIES;
		*cmd = PROTO_WL_UPSERT;
		*e = pl->upserts + at;
		*k = nup - at < PROTO_WL_WINDOW_ENTRIES ? nup - at :
		    PROTO_WL_WINDOW_ENTRIES;
		return;
	}
	*cmd = PROTO_WL_SET_VERSION;
}

/* All commands were taken: is the pile's list ours? Recorded only once
 * the pile says it holds exactly our list. 0 when verified and recorded,
 * 1 when the plan was made again (the bucket digests missed a difference:
 * the caller sends its commands), else PILE_E_* / -1 with *cause. */
static int
wlsync_verify(struct pile *p, const struct proto_identity *id,
    struct wlsync_plan *pl, char **cause)
{
	struct wlsync_planner	pr;
	struct pile_wl_status	st;
	int			rc;

	if ((rc = pile_wl_status(p, &st, cause)) != 0)
		return rc;
	if ((rc = wlsync_verify_status(p, id, pl, &st, cause)) != 1)
		return rc;
	wlsync_planner_reread(&pr, p, id, pl);
	rc = wlsync_planner_run(&pr, cause);
	wlsync_planner_free(&pr);
	return rc < 0 ? rc : 1;
}

int
wlsync_verify_status(struct pile *p, const struct proto_identity *id,
    struct wlsync_plan *pl, const struct pile_wl_status *stp, char **cause)
{
	struct pile_wl_status	 st = *stp;
	char			 label[80];

	snprintf(label, sizeof label, _("pile '%s' (address %u)"), id->serial,
	    pile_addr(p));
	/* A difference the bucket digests did not show (two lists with the
	 * same CRC-16 in a bucket): the list is read whole, once. */
	if ((st.digest != pl->want_digest || st.count != pl->nwant) &&
	    pl->mode == WLSYNC_BUCKETS)
		return 1;
	if (st.digest != pl->want_digest || st.count != pl->nwant)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s took the whitelist "
		    "commands but its list reads back different: %u entries, digest "
		    "%08X; expected %zu entries, digest %08X (run the sync again)"),
		    label, st.count, st.digest, pl->nwant, pl->want_digest);
	if (st.version != pl->new_version)
		return set_cause(cause, PILE_E_PROTOCOL, _("%s holds the list but "
		    "reports version %u, not %u: someone else edited it meanwhile "
		    "(run the sync again)"), label, st.version, pl->new_version);
	if (wlsync_state_save(id->serial, st.version, st.digest, pl->want, pl->nwant,
	    cause) != 0)
		return -1;
	return 0;
}

int
wlsync_next_command(const struct wlsync_plan *pl, unsigned *cmd, uint32_t *version,
    const struct proto_wl_entry **e, size_t *k)
{
	if (pl->ndone >= pl->ncommands)
		return 0;
	wlsync_command(pl, pl->ndone, cmd, e, k);
	/* The last command of the sync sets the version. */
	*version = pl->ndone + 1 == pl->ncommands ? pl->new_version : 0;
	return 1;
}

int
wlsync_stopped(const struct wlsync_plan *pl, int rc, char *err, char **cause)
{
	rc = set_cause(cause, rc, _("%s (whitelist sync stopped after "
	    "%zu of %zu commands; run it again to finish)"), err != NULL ? err :
	    _("failed"), pl->ndone, pl->ncommands);
	free(err);
	return rc;
}

int
wlsync_apply_next(struct pile *p, const struct proto_identity *id,
    struct wlsync_plan *pl, int stop, char **cause)
{
	const struct proto_wl_entry	*e;
	unsigned			 cmd;
	size_t				 k;
	char				*err = NULL;
	int				 rc;

	if (pl->ndone < pl->ncommands) {
		if (stop && pl->ndone > 0) {
			rc = -1;
			err = xstrdup(_("interrupted"));
		} else {
			wlsync_command(pl, pl->ndone, &cmd, &e, &k);
			/* The last command of the sync sets the version. */
			rc = pile_wl_command(p, cmd, pl->ndone + 1 == pl->ncommands ?
			    pl->new_version : 0, e, (int)k, &err);
		}
		if (rc != 0) {
			rc = set_cause(cause, rc, _("%s (whitelist sync stopped after "
			    "%zu of %zu commands; run it again to finish)"), err,
			    pl->ndone, pl->ncommands);
			free(err);
			return rc;
		}
		pl->ndone++;
		return 1;
	}
	return wlsync_verify(p, id, pl, cause);
}

int
wlsync_apply_auth(struct pile *p, struct wlsync_plan *pl, char **cause)
{
	char	*err = NULL;
	int	 rc;

	if (pl->ndone >= pl->ncommands || !pile_needs_auth(p))
		return 0;
	if ((rc = pile_auth(p, &err)) == 0)
		return 1;
	/* As the first command would have said it. */
	rc = set_cause(cause, rc, _("%s (whitelist sync stopped after %zu of %zu "
	    "commands; run it again to finish)"), err, pl->ndone, pl->ncommands);
	free(err);
	return rc;
}

int
wlsync_apply(struct pile *p, const struct proto_identity *id,
    struct wlsync_plan *pl, void (*progress)(void *, size_t, size_t), void *arg,
    char **cause)
{
	int	rc;

	while ((rc = wlsync_apply_next(p, id, pl, 0, cause)) == 1)
		if (progress != NULL && pl->ndone > 0)
			progress(arg, pl->ndone, pl->ncommands);
	return rc;
}

void
wlsync_plan_free(struct wlsync_plan *pl)
{
	free(pl->want);
	free(pl->upserts);
	free(pl->removes);
	memset(pl, 0, sizeof *pl);
}
