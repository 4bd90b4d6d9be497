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

/* Reads the pile's whole list; 1 when it cannot be trusted (FULL). */
static int
wlsync_read(struct pile *p, struct wlsync_plan *pl, char **cause)
{
	struct proto_wl_entry	*have = NULL;
	struct pile_wl_status	 after;
	uint32_t		 version;
	size_t			 nhave = 0, i;
	int			 rc;

	rc = wl_read_all(p, &have, &nhave, &version, cause);
	if (rc == PILE_E_PROTOCOL) {
		/* It kept changing under us, or an entry is malformed: a
		 * rewrite does not depend on what it holds. */
		free(*cause);
		*cause = NULL;
		pl->why = N_("the pile's list could not be read consistently");
		return 1;
	}
	if (rc != 0)
		return rc;
	pl->nread = nhave;
	if ((rc = pile_wl_status(p, &after, cause)) != 0) {
		free(have);
		return rc;
	}
	for (i = 1; i < nhave; i++)
		if (strcmp(have[i - 1].uid, have[i].uid) >= 0)
			break;
	if (i < nhave || after.version != version || after.count != nhave ||
	    wlsync_digest(have, nhave) != after.digest) {
		free(have);
		pl->why = N_("what was read does not match the pile's digest");
		return 1;
	}
	pl->pile = after;
	wlsync_diff(pl, have, nhave);
	free(have);
	return 0;
}

/*
 * 1.1 piles with bucket digests: compare the 4096 digests with the wanted
 * list's, read only the buckets that differ (UID and check of each entry)
 * and diff those. 1 when too much differs for it to pay (READ instead).
 */
static int
wlsync_buckets(struct pile *p, struct wlsync_plan *pl, const uint16_t *given,
    char **cause)
{
	struct proto_bucket_item	*items = NULL;
	struct proto_wl_entry		*have, *hb;
	uint16_t			*want_d, *pile_d, *diff;
	uint8_t				 wire[PROTO_WL_ENTRY_BYTES];
	size_t				 nitems = 0, ndiff = 0, i, j, nhave = 0;
	unsigned			 b, *wb;
	int				 rc;

	want_d = xcalloc(PROTO_WL_BUCKETS, sizeof *want_d);
	pile_d = xcalloc(PROTO_WL_BUCKETS, sizeof *pile_d);
	diff = xcalloc(PROTO_WL_BUCKETS, sizeof *diff);
	wb = xcalloc(pl->nwant + 1, sizeof *wb);
	for (b = 0; b < PROTO_WL_BUCKETS; b++)
		want_d[b] = 0xFFFF;
	for (i = 0; i < pl->nwant; i++) {
		wb[i] = proto_wl_bucket(pl->want[i].uid);
		proto_wl_entry_wire(&pl->want[i], wire);
		want_d[wb[i]] = proto_crc16_update(want_d[wb[i]], wire, sizeof wire);
	}
	if (given != NULL)
		memcpy(pile_d, given, PROTO_WL_BUCKETS * sizeof *pile_d);
	else if ((rc = pile_wl_bucket_digests(p, pile_d, cause)) != 0)
		goto out;
	for (b = 0; b < PROTO_WL_BUCKETS; b++)
		if (want_d[b] != pile_d[b])
			diff[ndiff++] = (uint16_t)b;
	pl->nbuckets = ndiff;
	if (ndiff > WLSYNC_BUCKETS_MAX) {
		rc = 1;
		goto out;
	}
	if ((rc = pile_wl_buckets_read(p, diff, ndiff, &items, &nitems, cause)) != 0)
		goto out;
	pl->nread = nitems;

	/* What the pile holds, as far as the diff cares: the wanted entries of
	 * the differing buckets whose check matches, plus the strangers (UID
	 * only, which reads as "changed" against a wanted entry). Everything
	 * else equals the wanted list, bucket by bucket. */
	have = xcalloc(pl->nwant + nitems + 1, sizeof *have);
	for (i = 0; i < pl->nwant; i++) {
		if (want_d[wb[i]] == pile_d[wb[i]])
			have[nhave++] = pl->want[i];
	}
	for (j = 0; j < nitems; j++) {
		hb = &have[nhave++];
		memset(hb, 0, sizeof *hb);
		snprintf(hb->uid, sizeof hb->uid, "%s", items[j].uid);
		for (i = 0; i < pl->nwant; i++)
			if (wb[i] == items[j].bucket && strcmp(pl->want[i].uid,
			    items[j].uid) == 0) {
				if (proto_wl_entry_check(&pl->want[i]) == items[j].check)
					*hb = pl->want[i];
				else
					hb->status = 0;	/* differs: never equal */
				break;
			}
	}
	if (wlsync_sort(have, nhave, cause) != 0) {
		free(have);
		rc = set_cause(cause, PILE_E_PROTOCOL, _("the pile's bucket window named "
		    "a card twice"));
		goto out;
	}
	wlsync_diff(pl, have, nhave);
	free(have);
	rc = 0;
out:
	free(items);
	free(want_d);
	free(pile_d);
	free(diff);
	free(wb);
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
	return wlsync_plan_digests(p, id, want, n, version, force_full, allow_read, NULL,
	    0, pl, cause);
}

int
wlsync_plan_digests(struct pile *p, const struct proto_identity *id,
    const struct proto_wl_entry *want, size_t n, uint32_t version, int force_full,
    int allow_read, const uint16_t *digests, int defer_digests,
    struct wlsync_plan *pl, char **cause)
{
	struct proto_wl_entry	*rec = NULL;
	char			*err = NULL, label[80];
	size_t			 nrec = 0;
	int			 rc;

	memset(pl, 0, sizeof *pl);
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
	if ((rc = pile_wl_status(p, &pl->pile, cause)) != 0)
		return rc;

	rc = wlsync_state_load(id->serial, &pl->rec_version, &pl->rec_digest, &rec,
	    &nrec, &err);
	free(err);	/* a damaged record is no record: read the pile */
	pl->recorded = rc == 0;
	if (rc == 0 && wlsync_digest(rec, nrec) != pl->rec_digest)
		pl->recorded = 0;

	if (force_full) {
		pl->why = N_("a full rewrite was asked for");
		wlsync_full(pl);
	} else if (pl->pile.digest == pl->want_digest && pl->pile.count == n) {
		pl->mode = WLSYNC_NONE;
		pl->why = N_("the pile already holds this list");
		pl->upserts = xcalloc(1, sizeof *pl->upserts);
		pl->removes = xcalloc(1, sizeof *pl->removes);
	} else if (pl->recorded && pl->rec_version == pl->pile.version &&
	    pl->rec_digest == pl->pile.digest && nrec == pl->pile.count) {
		pl->mode = WLSYNC_CACHED;
		pl->why = N_("unchanged since the last sync from here");
		wlsync_diff(pl, rec, nrec);
	} else {
		pl->mode = WLSYNC_READ;
		if (!pl->recorded)
			pl->why = N_("no sync of this pile is on record here");
		else
			pl->why = N_("the list was changed elsewhere since the last "
			    "sync from here");
		rc = 1;
		if ((id->caps & PROTO_CAP_BUCKETS) && digests == NULL && defer_digests) {
			free(rec);
			return WLSYNC_NEED_DIGESTS;
		}
		if (id->caps & PROTO_CAP_BUCKETS) {
			pl->mode = WLSYNC_BUCKETS;
			rc = wlsync_buckets(p, pl, digests, cause);
			if (rc < 0) {
				free(rec);
				return rc;
			}
			if (rc == 1)
				pl->mode = WLSYNC_READ;
		}
		if (rc == 1 && !allow_read) {
			free(rec);
			pl->upserts = xcalloc(1, sizeof *pl->upserts);
			pl->removes = xcalloc(1, sizeof *pl->removes);
			return 0;
		}
		if (rc == 1)
			rc = wlsync_read(p, pl, cause);
		if (rc < 0) {
			free(rec);
			return rc;
		}
		if (rc == 1)
			wlsync_full(pl);
	}
	free(rec);

	if (version != 0)
		pl->new_version = version;
	else if (pl->ncommands > 0)
		pl->new_version = pl->pile.version + (uint32_t)pl->ncommands;
	else
		pl->new_version = pl->pile.version;
	/* Only a version to set: one command that carries no entries. */
	if (pl->ncommands == 0 && pl->new_version != pl->pile.version)
		pl->ncommands = 1;
	return 0;
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
	struct pile_wl_status	 st;
	int			 rc;

	if ((rc = pile_wl_status(p, &st, cause)) != 0)
		return rc;
	return wlsync_verify_status(p, id, pl, &st, cause);
}

int
wlsync_verify_status(struct pile *p, const struct proto_identity *id,
    struct wlsync_plan *pl, const struct pile_wl_status *stp, char **cause)
{
	struct pile_wl_status	 st = *stp;
	char			 label[80];
	int			 rc;

	snprintf(label, sizeof label, _("pile '%s' (address %u)"), id->serial,
	    pile_addr(p));
	if ((st.digest != pl->want_digest || st.count != pl->nwant) &&
	    pl->mode == WLSYNC_BUCKETS) {
		/* A difference the bucket digests did not show (two lists with
		 * the same CRC-16 in a bucket): read the list whole, once. */
		free(pl->upserts);
		free(pl->removes);
		pl->upserts = pl->removes = NULL;
		pl->nadd = pl->nchange = pl->nremove = pl->ndone = 0;
		pl->clear = 0;
		pl->mode = WLSYNC_READ;
		pl->why = N_("the bucket digests missed a difference: the list was "
		    "read whole");
		if ((rc = wlsync_read(p, pl, cause)) < 0)
			return rc;
		if (rc == 1)
			wlsync_full(pl);
		if (pl->ncommands == 0)
			pl->ncommands = 1;	/* the version at least */
		return 1;
	}
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
