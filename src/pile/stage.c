/* stage.c - protocol 1.1 from the master's side: broadcast staging chunks
 * (no reply, then a turnaround delay), the staging status and its missing
 * bitmap, the authenticated commit, and the bucket digests and bucket
 * window a drifted list is repaired with (pilecon-protocol(7)). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pile-int.h"

int
pile_bus_broadcast(struct pile_bus *bus, uint16_t addr, uint16_t count,
    const uint16_t *values, int turnaround_ms, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	x.req.unit = 0;
	x.req.fc = PROTO_FC_WRITE_MULTIPLE;
	x.req.write_addr = addr;
	x.req.write_count = count;
	memcpy(x.req.values, values, count * sizeof *values);
	x.turnaround_ms = turnaround_ms;
	rc = pile_bus_transact(bus, &x);
	if (rc < 0 && cause != NULL) {
		*cause = x.cause;
		x.cause = NULL;
	}
	free(x.cause);
	return rc;
}

/* Writes wcount registers and reads rcount: one FC 23, or FC 16 + FC 03
 * on a bus without it (as pile_cursor_read). */
static int
pile_rw_regs(struct pile *p, uint16_t waddr, uint16_t wcount, const uint16_t *wv,
    uint16_t raddr, uint16_t rcount, uint16_t *regs, char **cause)
{
	struct pile_bus		*bus = p->bus;
	struct pile_xfer	 x;
	int			 rc;

	if (!bus->opts.no_fc23 && !bus->fc23_refused) {
		memset(&x, 0, sizeof x);
		x.req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
		x.req.write_addr = waddr;
		x.req.write_count = wcount;
		memcpy(x.req.values, wv, wcount * sizeof *wv);
		x.req.read_addr = raddr;
		x.req.read_count = rcount;
		rc = pile_run(p, &x, cause);
		if (rc == 0) {
			memcpy(regs, x.resp.regs, rcount * sizeof *regs);
			return 0;
		}
		if (rc != PILE_E_EXCEPTION || x.resp.exception != PROTO_EX_ILLEGAL_FUNCTION)
			return rc;
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		bus->fc23_refused = 1;
	}
	if ((rc = pile_write_regs(p, waddr, wcount, wv, cause)) < 0)
		return rc;
	return pile_read_regs(p, raddr, rcount, regs, cause);
}

int
pile_stage_chunk(struct pile *p, const uint16_t regs[PROTO_STAGE_CHUNK_REGS],
    char **cause)
{
	return pile_write_regs(p, PROTO_A_STAGE_TRANSFER, PROTO_STAGE_CHUNK_REGS,
	    regs, cause);
}

int
pile_stage_status(struct pile *p, struct pile_stage_status *st, char **cause)
{
	uint16_t	regs[3];
	int		rc;

	if ((rc = pile_read_regs(p, PROTO_A_STAGE_STATE_TRANSFER, 3, regs, cause)) != 0)
		return rc;
	st->transfer = regs[0];
	st->total = regs[1];
	st->received = regs[2];
	return 0;
}

int
pile_stage_missing(struct pile *p, uint16_t total, uint16_t *out, size_t max,
    char **cause)
{
	uint16_t	regs[PROTO_N_STAGE_MISSING], cur;
	size_t		n = 0;
	unsigned	i;
	int		rc;

	for (cur = 0; cur < total && n < max; cur += PROTO_STAGE_MISSING_BITS) {
		rc = pile_rw_regs(p, PROTO_A_STAGE_MISSING_CURSOR, 1, &cur,
		    PROTO_A_STAGE_MISSING, PROTO_N_STAGE_MISSING, regs, cause);
		if (rc != 0)
			return rc;
		for (i = 0; i < PROTO_STAGE_MISSING_BITS && n < max; i++)
			if ((regs[i / 16] >> (i % 16)) & 1 && cur + i < total)
				out[n++] = (uint16_t)(cur + i);
		if ((unsigned)cur + PROTO_STAGE_MISSING_BITS > 0xFFFF)
			break;
	}
	return (int)n;
}

int
pile_stage_commit(struct pile *p, uint16_t transfer, uint32_t version,
    uint32_t nentries, const uint8_t sha[PROTO_SHA256_BYTES], unsigned *result,
    char **cause)
{
	uint16_t	regs[PROTO_STAGE_COMMIT_REGS], res;
	uint8_t		ex = 0;
	char		*why = NULL;
	int		rc;

	regs[0] = transfer;
	proto_put_u32(regs + 1, version);
	proto_put_u32(regs + 3, nentries);
	proto_put_bytes(regs + 5, PROTO_SHA256_BYTES, sha);
	rc = pile_write_auth(p, PROTO_A_STAGE_COMMIT_TRANSFER, PROTO_STAGE_COMMIT_REGS,
	    regs, &ex, &why);
	if (rc == 0) {
		*result = PROTO_COMMIT_OK;
		return 0;
	}
	if (rc != PILE_E_EXCEPTION || (ex != PROTO_EX_ILLEGAL_VALUE &&
	    ex != PROTO_EX_DEVICE_FAILURE)) {
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return rc;
	}
	/* Refused: the result register says why. */
	free(why);
	if ((rc = pile_read_regs(p, PROTO_A_STAGE_COMMIT_RESULT, 1, &res, cause)) != 0)
		return rc;
	*result = res;
	return 0;
}

int
pile_wl_bucket_digests(struct pile *p, uint16_t out[PROTO_WL_BUCKETS], char **cause)
{
	uint16_t	regs[PROTO_N_WL_BUCKET_DIGESTS], cur, n;
	int		rc;

	for (cur = 0; cur < PROTO_WL_BUCKETS; cur += PROTO_N_WL_BUCKET_DIGESTS) {
		n = PROTO_WL_BUCKETS - cur < PROTO_N_WL_BUCKET_DIGESTS ?
		    PROTO_WL_BUCKETS - cur : PROTO_N_WL_BUCKET_DIGESTS;
		rc = pile_rw_regs(p, PROTO_A_WL_BUCKET_DIGEST_CURSOR, 1, &cur,
		    PROTO_A_WL_BUCKET_DIGESTS, n, regs, cause);
		if (rc != 0)
			return rc;
		memcpy(out + cur, regs, n * sizeof *regs);
	}
	return 0;
}

/* How many digests the window at cur holds. */
static uint16_t
pile_digests_at(uint16_t cur)
{
	return PROTO_WL_BUCKETS - cur < PROTO_N_WL_BUCKET_DIGESTS ?
	    PROTO_WL_BUCKETS - cur : PROTO_N_WL_BUCKET_DIGESTS;
}

void
pile_wl_bucket_digests_request(const struct pile *p, struct pile_xfer *x, uint16_t cur)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	if (p->bus->opts.no_fc23 || p->bus->fc23_refused)
		return;		/* no request: the parse reads the pair */
	x->req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
	x->req.write_addr = PROTO_A_WL_BUCKET_DIGEST_CURSOR;
	x->req.write_count = 1;
	x->req.values[0] = cur;
	x->req.read_addr = PROTO_A_WL_BUCKET_DIGESTS;
	x->req.read_count = pile_digests_at(cur);
}

int
pile_wl_bucket_digests_parse(struct pile *p, const struct pile_xfer *x, uint16_t cur,
    uint16_t out[PROTO_WL_BUCKETS], char **cause)
{
	int	rc;

	if (cur >= PROTO_WL_BUCKETS)
		return set_cause(cause, PILE_E_PROTOCOL, _("bucket digest cursor %u is "
		    "past the last bucket"), cur);
	rc = pile_cursor_parse(p, x, pile_digests_at(cur), out + cur, cause);
	if (rc == 1)
		return pile_rw_regs(p, PROTO_A_WL_BUCKET_DIGEST_CURSOR, 1, &cur,
		    PROTO_A_WL_BUCKET_DIGESTS, pile_digests_at(cur), out + cur, cause);
	return rc;
}

int
pile_wl_buckets_read(struct pile *p, const uint16_t *buckets, size_t n,
    struct proto_bucket_item **items, size_t *nitems, char **cause)
{
	struct proto_bucket_part	parts[PROTO_BUCKET_LIST_MAX];
	struct proto_bucket_item	got[PROTO_BUCKET_ITEMS_MAX];
	uint16_t			wv[1 + PROTO_BUCKET_LIST_MAX];
	uint16_t			regs[PROTO_N_WL_BUCKET_WINDOW];
	size_t				at = 0, alloc = 0, k;
	unsigned			index = 0, ngot, nl;
	int				np, rc;
	char				label[80];

	*items = NULL;
	*nitems = 0;
	while (at < n) {
		nl = n - at < PROTO_BUCKET_LIST_MAX ? (unsigned)(n - at) : PROTO_BUCKET_LIST_MAX;
		wv[0] = (uint16_t)index;
		for (k = 0; k < PROTO_BUCKET_LIST_MAX; k++)
			wv[1 + k] = k < nl ? buckets[at + k] : PROTO_BUCKET_NONE;
		rc = pile_rw_regs(p, PROTO_A_WL_BUCKET_INDEX, 1 + PROTO_BUCKET_LIST_MAX, wv,
		    PROTO_A_WL_BUCKET_WINDOW, PROTO_N_WL_BUCKET_WINDOW, regs, cause);
		if (rc != 0)
			goto fail;
		np = proto_bucket_window_decode(regs, index, wv + 1, nl, parts, got, &ngot);
		if (np <= 0 || (np == 1 && parts[0].given == 0 &&
		    parts[0].first < parts[0].total)) {
			rc = set_cause(cause, PILE_E_PROTOCOL, _("%s sent a bucket window "
			    "that breaks its layout (pilecon-protocol(7), BUCKET DIGESTS)"),
			    pile_label(p, label, sizeof label));
			goto fail;
		}
		if (*nitems + ngot > alloc) {
			alloc = (*nitems + ngot) * 2;
			*items = xrealloc(*items, alloc * sizeof **items);
		}
		if (ngot > 0)	/* *items is still NULL while every bucket is empty */
			memcpy(*items + *nitems, got, ngot * sizeof *got);
		*nitems += ngot;
		/* Resume at the bucket cut short, or the first one left out. */
		if (parts[np - 1].first + parts[np - 1].given < parts[np - 1].total) {
			at += (size_t)np - 1;
			index = parts[np - 1].first + parts[np - 1].given;
		} else {
			at += (size_t)np;
			index = 0;
		}
	}
	return 0;
fail:
	free(*items);
	*items = NULL;
	*nitems = 0;
	return rc;
}
