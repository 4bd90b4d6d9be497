/* stage.c - protocol 1.1 on a simulated pile: the staging area broadcast
 * chunks fill, the commit that applies it, the missing-chunk bitmap, and the
 * bucket digests and bucket window a drifted list is repaired with. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "world.h"

#define CHUNK_REGS	(1 + PROTO_N_STAGE_ENTRIES)	/* count + 4 entries */
#define SOFF(id)	(PROTO_A_##id - PROTO_A_STAGE_TRANSFER)
#define COFF(id)	(PROTO_A_##id - PROTO_A_STAGE_COMMIT_TRANSFER)

unsigned
sim_stage_caps(const struct sim_pile *p)
{
	(void)p;
	return PROTO_CAP_STAGING | PROTO_CAP_BUCKETS;
}

/* The staging area is RAM: a power loss or a new transfer empties it. */
void
sim_stage_reset(struct sim_pile *p)
{
	struct sim_stage	*s = &p->stage;

	free(s->have);
	free(s->chunks);
	s->have = NULL;
	s->chunks = NULL;
	s->transfer = s->total = s->received = 0;
}

static int
stage_has(const struct sim_stage *s, unsigned i)
{
	return (s->have[i / 8] >> (i % 8)) & 1;
}

/* The most chunks a list this pile can hold needs. */
static unsigned
stage_max_chunks(const struct sim_pile *p)
{
	unsigned	n = (p->wl.capacity + PROTO_WL_WINDOW_ENTRIES - 1) /
	    PROTO_WL_WINDOW_ENTRIES;

	return n == 0 ? 1 : n > 0xFFFF ? 0xFFFF : n;
}

/*
 * One chunk (img is the whole staging block as written). It needs no
 * session: it changes nothing but the staging area. Returns 0 or a Modbus
 * exception (a broadcast has nobody to tell).
 */
int
sim_stage_chunk(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *img)
{
	struct sim_stage	*s = &p->stage;
	uint16_t		 transfer = img[SOFF(STAGE_TRANSFER)];
	uint16_t		 index = img[SOFF(STAGE_INDEX)];
	uint16_t		 total = img[SOFF(STAGE_TOTAL)];
	uint16_t		 n = img[SOFF(STAGE_NENTRIES)];

	if (addr != PROTO_A_STAGE_TRANSFER ||
	    count < SOFF(STAGE_ENTRIES) + n * PROTO_WL_ENTRY_REGS ||
	    transfer == 0 || total == 0 || index >= total ||
	    n > PROTO_WL_WINDOW_ENTRIES || total > stage_max_chunks(p)) {
		p->last_error = PROTO_WERR_RANGE;
		return PROTO_EX_ILLEGAL_VALUE;
	}
	if (transfer != s->transfer) {
		sim_stage_reset(p);
		s->transfer = transfer;
		s->total = total;
		s->have = xcalloc((total + 7) / 8, 1);
		s->chunks = xcalloc(total, CHUNK_REGS * sizeof *s->chunks);
	} else if (total != s->total) {
		p->last_error = PROTO_WERR_RANGE;
		return PROTO_EX_ILLEGAL_VALUE;
	}
	memset(s->chunks + (size_t)index * CHUNK_REGS, 0, CHUNK_REGS * sizeof *s->chunks);
	memcpy(s->chunks + (size_t)index * CHUNK_REGS, img + SOFF(STAGE_NENTRIES),
	    (1 + (size_t)n * PROTO_WL_ENTRY_REGS) * sizeof *img);
	if (!stage_has(s, index)) {
		s->have[index / 8] |= (uint8_t)(1u << (index % 8));
		s->received++;
	}
	return 0;
}

void
sim_stage_status_image(struct sim_pile *p, uint16_t *regs)
{
	struct sim_stage	*s = &p->stage;
	uint16_t		 base = PROTO_A_STAGE_STATE_TRANSFER;
	unsigned		 i, c;

	regs[PROTO_A_STAGE_STATE_TRANSFER - base] = s->transfer;
	regs[PROTO_A_STAGE_STATE_TOTAL - base] = s->total;
	regs[PROTO_A_STAGE_RECEIVED - base] = s->received;
	regs[PROTO_A_STAGE_MISSING_CURSOR - base] = s->missing_cursor;
	for (i = 0; i < PROTO_STAGE_MISSING_BITS; i++) {
		c = s->missing_cursor + i;
		if (s->transfer != 0 && c < s->total && !stage_has(s, c))
			regs[PROTO_A_STAGE_MISSING - base + i / 16] |=
			    (uint16_t)(1u << (i % 16));
	}
}

void
sim_stage_commit_image(struct sim_pile *p, uint16_t *regs)
{
	memcpy(regs, p->stage.commit, sizeof p->stage.commit);
	regs[COFF(STAGE_COMMIT_RESULT)] = (uint16_t)p->stage.commit_result;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct proto_wl_entry *)a)->uid,
	    ((const struct proto_wl_entry *)b)->uid);
}

/* Checks the staged list against the commit and decodes it into *out
 * (sorted by UID). Returns a PROTO_COMMIT_* result. */
static unsigned
stage_check(struct sim_pile *p, uint16_t transfer, uint32_t nentries,
    const uint8_t sha[PROTO_SHA256_BYTES], struct proto_wl_entry **out, uint32_t *nout)
{
	struct sim_stage			*s = &p->stage;
	crypto_hash_sha256_state		 st;
	struct proto_wl_entry			*e;
	uint8_t					 wire[PROTO_WL_ENTRY_BYTES], got[PROTO_SHA256_BYTES];
	const uint16_t				*c;
	uint32_t				 n = 0, k, i, r;

	if (s->transfer == 0 || transfer != s->transfer)
		return PROTO_COMMIT_NO_TRANSFER;
	if (s->received < s->total)
		return PROTO_COMMIT_MISSING;
	for (i = 0; i < s->total; i++)
		n += s->chunks[(size_t)i * CHUNK_REGS];
	if (n != nentries)
		return PROTO_COMMIT_MISMATCH;
	crypto_hash_sha256_init(&st);
	for (i = 0; i < s->total; i++) {
		c = s->chunks + (size_t)i * CHUNK_REGS;
		for (r = 0; r < (uint32_t)c[0] * PROTO_WL_ENTRY_REGS; r++) {
			wire[2 * (r % PROTO_WL_ENTRY_REGS)] = (uint8_t)(c[1 + r] >> 8);
			wire[2 * (r % PROTO_WL_ENTRY_REGS) + 1] = (uint8_t)c[1 + r];
			if (r % PROTO_WL_ENTRY_REGS == PROTO_WL_ENTRY_REGS - 1)
				crypto_hash_sha256_update(&st, wire, sizeof wire);
		}
	}
	crypto_hash_sha256_final(&st, got);
	if (sodium_memcmp(got, sha, sizeof got) != 0)
		return PROTO_COMMIT_MISMATCH;
	if (n > p->wl.capacity)
		return PROTO_COMMIT_FULL;
	e = xcalloc(n + 1, sizeof *e);
	for (i = 0, k = 0; i < s->total; i++) {
		c = s->chunks + (size_t)i * CHUNK_REGS;
		for (r = 0; r < c[0]; r++, k++)
			if (proto_wl_entry_decode(c + 1 + r * PROTO_WL_ENTRY_REGS,
			    &e[k]) != 0) {
				free(e);
				return PROTO_COMMIT_BAD_ENTRY;
			}
	}
	qsort(e, n, sizeof *e, entry_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(e[i - 1].uid, e[i].uid) == 0) {
			free(e);
			return PROTO_COMMIT_BAD_ENTRY;
		}
	*out = e;
	*nout = n;
	return PROTO_COMMIT_OK;
}

/*
 * stage.commit, written whole (a WA write: the session was checked). The
 * list in force changes only here, and only when the staged list is whole
 * and hashes to the digest named. A refused commit answers exception 03 (04
 * when the list would not fit), with stage.commit_result saying why.
 */
int
sim_stage_commit(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *img)
{
	struct proto_wl_entry	*e = NULL;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	uint32_t		 n = 0;
	char			*cause = NULL;

	if (addr != PROTO_A_STAGE_COMMIT_TRANSFER || count != PROTO_STAGE_COMMIT_REGS) {
		p->last_error = PROTO_WERR_RANGE;
		return PROTO_EX_ILLEGAL_VALUE;
	}
	memcpy(p->stage.commit, img, sizeof p->stage.commit);
	proto_get_bytes(img + COFF(STAGE_COMMIT_SHA256), sizeof sha, sha);
	p->stage.commit_result = stage_check(p, img[COFF(STAGE_COMMIT_TRANSFER)],
	    proto_get_u32(img + COFF(STAGE_COMMIT_ENTRIES)), sha, &e, &n);
	if (p->stage.commit_result != PROTO_COMMIT_OK) {
		p->last_error = PROTO_WERR_RANGE;
		return p->stage.commit_result == PROTO_COMMIT_FULL ?
		    PROTO_EX_DEVICE_FAILURE : PROTO_EX_ILLEGAL_VALUE;
	}
	if (sim_wl_replace(&p->wl, e, n, proto_get_u32(img +
	    COFF(STAGE_COMMIT_VERSION)), &cause) != 0) {
		free(e);
		free(p->fault);
		p->fault = cause;
		return PROTO_EX_DEVICE_FAILURE;
	}
	free(e);
	return 0;
}

/* ---- bucket digests -------------------------------------------------------- */

/* Bucket digests, checks and members, rebuilt after the list changed: one
 * pass over the list in UID order. */
static void
buckets_build(struct sim_wl *wl)
{
	uint32_t	i, b, *fill;
	uint16_t	crc;

	if (wl->buckets_valid)
		return;
	free(wl->bidx);
	free(wl->bcheck);
	wl->bidx = xcalloc(wl->n + 1, sizeof *wl->bidx);
	wl->bcheck = xcalloc(wl->n + 1, sizeof *wl->bcheck);
	if (wl->boff == NULL) {
		wl->boff = xcalloc(PROTO_WL_BUCKETS + 1, sizeof *wl->boff);
		wl->bdigest = xcalloc(PROTO_WL_BUCKETS, sizeof *wl->bdigest);
	}
	memset(wl->boff, 0, (PROTO_WL_BUCKETS + 1) * sizeof *wl->boff);
	for (i = 0; i < PROTO_WL_BUCKETS; i++)
		wl->bdigest[i] = 0xFFFF;
	for (i = 0; i < wl->n; i++) {
		b = proto_wl_bucket(wl->items[i].e.uid);
		wl->boff[b + 1]++;
		crc = wl->bdigest[b];
		wl->bdigest[b] = proto_crc16_update(crc, wl->items[i].wire,
		    sizeof wl->items[i].wire);
		wl->bcheck[i] = proto_crc16(wl->items[i].wire, sizeof wl->items[i].wire);
	}
	for (b = 0; b < PROTO_WL_BUCKETS; b++)
		wl->boff[b + 1] += wl->boff[b];
	fill = xcalloc(PROTO_WL_BUCKETS, sizeof *fill);
	for (i = 0; i < wl->n; i++) {
		b = proto_wl_bucket(wl->items[i].e.uid);
		wl->bidx[wl->boff[b] + fill[b]++] = i;
	}
	free(fill);
	wl->buckets_valid = 1;
}

void
sim_stage_digest_image(struct sim_pile *p, uint16_t *regs)
{
	unsigned	i, b;

	buckets_build(&p->wl);
	regs[0] = p->bucket_digest_cursor;
	for (i = 0; i < PROTO_N_WL_BUCKET_DIGESTS; i++) {
		b = p->bucket_digest_cursor + i;
		regs[1 + i] = b < PROTO_WL_BUCKETS ? p->wl.bdigest[b] : 0;
	}
}

/* The window as regmap.h lays it out: per listed bucket its count, the
 * count given here, then UID and check of each entry given. */
void
sim_stage_bucket_image(struct sim_pile *p, uint16_t *regs)
{
	struct sim_wl	*wl = &p->wl;
	uint16_t	*win = regs + PROTO_A_WL_BUCKET_WINDOW - PROTO_A_WL_BUCKET_INDEX;
	unsigned	 at = 0, i, k, b, first, total, given, room;
	uint32_t	 item;

	buckets_build(wl);
	regs[0] = p->bucket_index;
	memcpy(regs + 1, p->bucket_list, sizeof p->bucket_list);
	for (i = 0; i < PROTO_BUCKET_LIST_MAX; i++) {
		b = p->bucket_list[i];
		if (b >= PROTO_WL_BUCKETS || at + 2 > PROTO_N_WL_BUCKET_WINDOW)
			break;
		first = i == 0 ? p->bucket_index : 0;
		total = wl->boff[b + 1] - wl->boff[b];
		given = first < total ? total - first : 0;
		room = (PROTO_N_WL_BUCKET_WINDOW - at - 2) / PROTO_BUCKET_ITEM_REGS;
		if (given > room)
			given = room;
		win[at] = (uint16_t)total;
		win[at + 1] = (uint16_t)given;
		at += 2;
		for (k = 0; k < given; k++) {
			item = wl->bidx[wl->boff[b] + first + k];
			proto_put_str(win + at, PROTO_UID_MAX / 2, wl->items[item].e.uid);
			win[at + PROTO_BUCKET_ITEM_REGS - 1] = wl->bcheck[item];
			at += PROTO_BUCKET_ITEM_REGS;
		}
		if (first + given < total)
			break;
	}
}

/* Index and list, as the FC 23 before the read wrote them. */
int
sim_stage_bucket_select(struct sim_pile *p, const uint16_t *img)
{
	unsigned	i;

	for (i = 0; i < PROTO_BUCKET_LIST_MAX; i++)
		if (img[1 + i] >= PROTO_WL_BUCKETS && img[1 + i] != PROTO_BUCKET_NONE) {
			p->last_error = PROTO_WERR_RANGE;
			return PROTO_EX_ILLEGAL_VALUE;
		}
	p->bucket_index = img[0];
	memcpy(p->bucket_list, img + 1, sizeof p->bucket_list);
	return 0;
}

void
sim_stage_init(struct sim_pile *p)
{
	size_t	i;

	memset(&p->stage, 0, sizeof p->stage);
	for (i = 0; i < PROTO_BUCKET_LIST_MAX; i++)
		p->bucket_list[i] = PROTO_BUCKET_NONE;
}

/* `ctl mains ADDR off`: the pile hears and says nothing; what it held in
 * RAM (the staging area, the session) is gone when the power comes back. */
void
sim_stage_mains(struct sim_pile *p, int on)
{
	if (!on && !p->mains_off) {
		sim_stage_reset(p);
		sim_auth_close(p);
	}
	p->mains_off = !on;
}
