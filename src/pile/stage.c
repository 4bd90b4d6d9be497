/* stage.c - protocol 1.1 from the master's side: broadcast staging chunks
 * (no reply, then a turnaround delay), the staging status and its missing
 * bitmap, a staged list put to one pile (chunks, authenticated commit,
 * missing chunks re-sent, the list read back) a transaction at a time, and
 * the bucket digests and bucket window a drifted list is repaired with
 * (pilecon-protocol(7)). */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pile-int.h"

void
pile_bus_broadcast_request(struct pile_xfer *x, uint16_t addr, uint16_t count,
    const uint16_t *values, int turnaround_ms)
{
	pile_xfer_reset(x);
	x->req.unit = 0;
	x->req.fc = PROTO_FC_WRITE_MULTIPLE;
	x->req.write_addr = addr;
	x->req.write_count = count;
	memcpy(x->req.values, values, count * sizeof *values);
	x->turnaround_ms = turnaround_ms;
}

int
pile_bus_broadcast(struct pile_bus *bus, uint16_t addr, uint16_t count,
    const uint16_t *values, int turnaround_ms, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_bus_broadcast_request(&x, addr, count, values, turnaround_ms);
	rc = pile_bus_transact(bus, &x);
	if (rc < 0 && cause != NULL) {
		*cause = x.cause;
		x.cause = NULL;
	}
	pile_xfer_reset(&x);
	return rc;
}

void
pile_stage_chunk_request(const struct pile *p, struct pile_xfer *x,
    const uint16_t regs[PROTO_STAGE_CHUNK_REGS])
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_WRITE_MULTIPLE;
	x->req.write_addr = PROTO_A_STAGE_TRANSFER;
	x->req.write_count = PROTO_STAGE_CHUNK_REGS;
	memcpy(x->req.values, regs, PROTO_STAGE_CHUNK_REGS * sizeof *regs);
}

void
pile_stage_status_request(const struct pile *p, struct pile_xfer *x)
{
	pile_xfer_reset(x);
	x->req.unit = p->addr;
	x->req.fc = PROTO_FC_READ_HOLDING;
	x->req.read_addr = PROTO_A_STAGE_STATE_TRANSFER;
	x->req.read_count = 3;
}

int
pile_stage_status_parse(const struct pile_xfer *x, struct pile_stage_status *st,
    char **cause)
{
	if (x->status != 0)
		return set_cause(cause, x->status < 0 ? x->status : PILE_E_PROTOCOL,
		    "%s", x->cause != NULL ? x->cause : _("failed"));
	st->transfer = x->resp.regs[0];
	st->total = x->resp.regs[1];
	st->received = x->resp.regs[2];
	return 0;
}

int
pile_stage_status(struct pile *p, struct pile_stage_status *st, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	pile_stage_status_request(p, &x);
	pile_bus_transact(p->bus, &x);
	rc = pile_stage_status_parse(&x, st, cause);
	pile_xfer_reset(&x);
	return rc;
}

void
pile_stage_missing_request(const struct pile *p, struct pile_xfer *x, uint16_t cur)
{
	pile_rw_request(p, x, PROTO_A_STAGE_MISSING_CURSOR, 1, &cur, PROTO_A_STAGE_MISSING,
	    PROTO_N_STAGE_MISSING);
}

int
pile_stage_missing_parse(struct pile *p, const struct pile_xfer *x, uint16_t cur,
    uint16_t total, uint16_t *out, size_t max, char **cause)
{
	uint16_t	regs[PROTO_N_STAGE_MISSING];
	size_t		n = 0;
	unsigned	i;
	int		rc;

	(void)p;
	if ((rc = pile_cursor_parse(x, PROTO_N_STAGE_MISSING, regs, cause)) != 0)
		return rc;
	for (i = 0; i < PROTO_STAGE_MISSING_BITS && n < max; i++)
		if ((regs[i / 16] >> (i % 16)) & 1 && (unsigned)cur + i < total)
			out[n++] = (uint16_t)(cur + i);
	return (int)n;
}

int
pile_stage_missing(struct pile *p, uint16_t total, uint16_t *out, size_t max,
    char **cause)
{
	struct pile_xfer	x;
	uint32_t		cur;
	size_t			n = 0;
	int			got;

	memset(&x, 0, sizeof x);
	for (cur = 0; cur < total && n < max; cur += PROTO_STAGE_MISSING_BITS) {
		pile_stage_missing_request(p, &x, (uint16_t)cur);
		pile_bus_transact(p->bus, &x);
		got = pile_stage_missing_parse(p, &x, (uint16_t)cur, total, out + n,
		    max - n, cause);
		if (got < 0) {
			pile_xfer_reset(&x);
			return got;
		}
		n += (size_t)got;
	}
	pile_xfer_reset(&x);
	return (int)n;
}

/* ---- a staged list to one pile, a transaction at a time ---------------- */

uint16_t
pile_stage_chunks(size_t n)
{
	size_t	c = (n + PROTO_WL_WINDOW_ENTRIES - 1) / PROTO_WL_WINDOW_ENTRIES;

	return c == 0 ? 1 : c > 0xFFFF ? 0xFFFF : (uint16_t)c;	/* an empty list is one empty chunk */
}

void
pile_stage_digest(const struct proto_wl_entry *e, size_t n,
    uint8_t sha[PROTO_SHA256_BYTES])
{
	crypto_hash_sha256_state	st;
	uint8_t				wire[PROTO_WL_ENTRY_BYTES];
	size_t				i;

	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		proto_wl_entry_wire(&e[i], wire);
		crypto_hash_sha256_update(&st, wire, sizeof wire);
	}
	crypto_hash_sha256_final(&st, sha);
}

enum { PS_START, PS_CHUNK, PS_COMMIT, PS_RESULT, PS_MISSING, PS_RESEND, PS_AFTER,
	PS_DONE };

void
pile_stage_put_begin(struct pile_stage_put *sp, const struct proto_wl_entry *e,
    size_t n, uint16_t transfer, uint32_t version,
    const uint8_t sha[PROTO_SHA256_BYTES], int send_all)
{
	memset(sp, 0, sizeof *sp);
	sp->e = e;
	sp->n = n;
	sp->transfer = transfer;
	sp->nchunks = pile_stage_chunks(n);
	sp->version = version;
	memcpy(sp->sha, sha, PROTO_SHA256_BYTES);
	sp->send_all = send_all;
	sp->result = PROTO_COMMIT_MISSING;
}

void
pile_stage_put_free(struct pile_stage_put *sp)
{
	pile_write_free(&sp->w);
	free(sp->miss);
	sp->miss = NULL;
	sp->state = PS_DONE;
}

void
pile_stage_chunk_regs(const struct proto_wl_entry *e, size_t n, uint16_t transfer,
    uint16_t index, uint16_t regs[PROTO_STAGE_CHUNK_REGS])
{
	size_t	first = (size_t)index * PROTO_WL_WINDOW_ENTRIES, k;

	k = first < n ? n - first : 0;
	if (k > PROTO_WL_WINDOW_ENTRIES)
		k = PROTO_WL_WINDOW_ENTRIES;
	proto_stage_chunk_encode(transfer, index, pile_stage_chunks(n), e + first,
	    (unsigned)k, regs);
}

static int
pile_stage_chunk_go(struct pile *p, struct pile_stage_put *sp, struct pile_xfer *x,
    uint16_t index)
{
	uint16_t	regs[PROTO_STAGE_CHUNK_REGS];

	pile_stage_chunk_regs(sp->e, sp->n, sp->transfer, index, regs);
	pile_stage_chunk_request(p, x, regs);
	return PILE_XFER_PENDING;
}

static int
pile_stage_commit_go(struct pile *p, struct pile_stage_put *sp, struct pile_xfer *x,
    char **cause)
{
	uint16_t	regs[PROTO_STAGE_COMMIT_REGS];

	regs[0] = sp->transfer;
	proto_put_u32(regs + 1, sp->version);
	proto_put_u32(regs + 3, (uint32_t)sp->n);
	proto_put_bytes(regs + 5, PROTO_SHA256_BYTES, sp->sha);
	pile_write_free(&sp->w);
	pile_write_begin(&sp->w, PROTO_A_STAGE_COMMIT_TRANSFER, PROTO_STAGE_COMMIT_REGS,
	    regs);
	sp->commits++;
	sp->committing = 1;
	sp->state = PS_COMMIT;
	pile_xfer_reset(x);
	return pile_stage_put_next(p, sp, x, cause);
}

static int
pile_stage_put_end(struct pile_stage_put *sp, int rc)
{
	pile_write_free(&sp->w);
	sp->state = PS_DONE;
	return rc;
}

/* The transaction x failed: its status and cause. */
static int
pile_stage_put_failed(struct pile_stage_put *sp, struct pile_xfer *x, char **cause)
{
	int	rc = x->status < 0 ? x->status : PILE_E_PROTOCOL;

	if (cause != NULL) {
		*cause = x->cause != NULL ? x->cause : xstrdup(_("failed"));
		x->cause = NULL;
	}
	return pile_stage_put_end(sp, rc);
}

/* Re-send what the pile misses (sp->miss), then commit again. */
static int
pile_stage_resend(struct pile *p, struct pile_stage_put *sp, struct pile_xfer *x,
    char **cause)
{
	if (sp->imiss < sp->nmiss) {
		sp->state = PS_RESEND;
		return pile_stage_chunk_go(p, sp, x, sp->miss[sp->imiss++]);
	}
	return pile_stage_commit_go(p, sp, x, cause);
}

int
pile_stage_put_next(struct pile *p, struct pile_stage_put *sp, struct pile_xfer *x,
    char **cause)
{
	char	*why = NULL;
	size_t	 i;
	int	 rc;

	switch (sp->state) {
	case PS_START:
		if (!sp->send_all)
			return pile_stage_commit_go(p, sp, x, cause);
		sp->state = PS_CHUNK;
		sp->at = 0;
		return pile_stage_chunk_go(p, sp, x, sp->at);
	case PS_CHUNK:
	case PS_RESEND:
		if (x->status != 0)
			return pile_stage_put_failed(sp, x, cause);
		sp->sent++;
		if (sp->state == PS_RESEND)
			return pile_stage_resend(p, sp, x, cause);
		if (++sp->at < sp->nchunks)
			return pile_stage_chunk_go(p, sp, x, sp->at);
		return pile_stage_commit_go(p, sp, x, cause);
	case PS_COMMIT:
		rc = pile_write_next(p, &sp->w, x, &why);
		if (rc == PILE_XFER_PENDING)
			return rc;
		if (rc == 0) {
			sp->result = PROTO_COMMIT_OK;
			sp->state = PS_AFTER;
			pile_wl_status_request(p, x);
			return PILE_XFER_PENDING;
		}
		if (rc != PILE_E_EXCEPTION || (sp->w.exception != PROTO_EX_ILLEGAL_VALUE &&
		    sp->w.exception != PROTO_EX_DEVICE_FAILURE)) {
			if (cause != NULL)
				*cause = why;
			else
				free(why);
			return pile_stage_put_end(sp, rc);
		}
		/* Refused: the result register says why. */
		free(why);
		pile_xfer_reset(x);
		x->req.unit = p->addr;
		x->req.fc = PROTO_FC_READ_HOLDING;
		x->req.read_addr = PROTO_A_STAGE_COMMIT_RESULT;
		x->req.read_count = 1;
		sp->state = PS_RESULT;
		return PILE_XFER_PENDING;
	case PS_RESULT:
		if (x->status != 0)
			return pile_stage_put_failed(sp, x, cause);
		sp->result = x->resp.regs[0];
		if (sp->result == PROTO_COMMIT_OK) {
			sp->state = PS_AFTER;
			pile_wl_status_request(p, x);
			return PILE_XFER_PENDING;
		}
		if ((sp->result != PROTO_COMMIT_MISSING &&
		    sp->result != PROTO_COMMIT_NO_TRANSFER) ||
		    sp->commits >= PILE_STAGE_COMMITS)
			return pile_stage_put_end(sp, 0);	/* result says why */
		free(sp->miss);
		sp->miss = xcalloc(sp->nchunks, sizeof *sp->miss);
		sp->nmiss = sp->imiss = 0;
		if (sp->result == PROTO_COMMIT_NO_TRANSFER) {
			/* Lost its staging area (power): all of it again. */
			for (i = 0; i < sp->nchunks; i++)
				sp->miss[sp->nmiss++] = (uint16_t)i;
			return pile_stage_resend(p, sp, x, cause);
		}
		sp->mcur = 0;
		sp->state = PS_MISSING;
		pile_stage_missing_request(p, x, sp->mcur);
		return PILE_XFER_PENDING;
	case PS_MISSING:
		rc = pile_stage_missing_parse(p, x, sp->mcur, sp->nchunks,
		    sp->miss + sp->nmiss, sp->nchunks - sp->nmiss, cause);
		if (rc < 0)
			return pile_stage_put_end(sp, rc);
		sp->nmiss += (size_t)rc;
		if ((uint32_t)sp->mcur + PROTO_STAGE_MISSING_BITS < sp->nchunks &&
		    sp->nmiss < sp->nchunks) {
			sp->mcur += PROTO_STAGE_MISSING_BITS;
			pile_stage_missing_request(p, x, sp->mcur);
			return PILE_XFER_PENDING;
		}
		return pile_stage_resend(p, sp, x, cause);
	case PS_AFTER:
		if ((rc = pile_wl_status_parse(x, &sp->after, cause)) != 0)
			return pile_stage_put_end(sp, rc);
		return pile_stage_put_end(sp, 0);
	}
	return set_cause(cause, PILE_E_PROTOCOL, _("the staged transfer has ended"));
}

int
pile_stage_pays(struct pile *p, size_t ncommands)
{
	const struct link_params	*lp = link_params(p->bus->link);
	uint64_t			 cmd_us;

	if (!(pile_caps(p) & PROTO_CAP_STAGING))
		return 0;
	cmd_us = link_frame_us(lp, 9 + 2 * PILE_WL_COMMAND_REGS) + link_frame_us(lp, 8) +
	    2 * (uint64_t)link_t35_us(lp);
	return ncommands * cmd_us > PILE_STAGE_FINISH_MS * 1000ULL;
}

int
pile_stage_put(struct pile *p, struct pile_stage_put *sp, char **cause)
{
	struct pile_xfer	x;
	int			rc;

	memset(&x, 0, sizeof x);
	while ((rc = pile_stage_put_next(p, sp, &x, cause)) == PILE_XFER_PENDING)
		pile_bus_transact(p->bus, &x);
	pile_xfer_reset(&x);
	return rc;
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
	pile_rw_request(p, x, PROTO_A_WL_BUCKET_DIGEST_CURSOR, 1, &cur,
	    PROTO_A_WL_BUCKET_DIGESTS, pile_digests_at(cur));
}

int
pile_wl_bucket_digests_parse(struct pile *p, const struct pile_xfer *x, uint16_t cur,
    uint16_t out[PROTO_WL_BUCKETS], char **cause)
{
	if (cur >= PROTO_WL_BUCKETS)
		return set_cause(cause, PILE_E_PROTOCOL, _("bucket digest cursor %u is "
		    "past the last bucket"), cur);
	(void)p;
	return pile_cursor_parse(x, pile_digests_at(cur), out + cur, cause);
}
