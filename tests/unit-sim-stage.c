/* unit-sim-stage - protocol 1.1 broadcast staging and bucket digests on the
 * sim world: broadcast chunks fill every pile's staging area and change no
 * list; only an authenticated commit naming the staged list's SHA-256 applies
 * it; missing chunks show in the bitmap; a power cut loses the staging area
 * and keeps the list; bucket digests and the bucket window. */
#include "config.h"

#include "sim-world-lib.h"

#define NCARDS	2000

static struct proto_wl_entry	cards[NCARDS];

static void
make_cards(void)
{
	int	i;

	for (i = 0; i < NCARDS; i++) {
		memset(&cards[i], 0, sizeof cards[i]);
		snprintf(cards[i].uid, sizeof cards[i].uid, "%08X", 0x10000000 + i * 7);
		cards[i].status = PROTO_WL_ACCEPTED;
		snprintf(cards[i].holder, sizeof cards[i].holder, "holder %d", i);
	}
}

static void
chunk_req(struct proto_request *req, int unit, uint16_t transfer, unsigned index,
    unsigned total)
{
	unsigned	n = NCARDS - index * 4 < 4 ? NCARDS - index * 4 : 4;

	memset(req, 0, sizeof *req);
	req->unit = (uint8_t)unit;
	req->fc = PROTO_FC_WRITE_MULTIPLE;
	req->write_addr = PROTO_A_STAGE_TRANSFER;
	req->write_count = PROTO_STAGE_CHUNK_REGS;
	proto_stage_chunk_encode(transfer, (uint16_t)index, (uint16_t)total,
	    cards + index * 4, n, req->values);
}

/* Broadcasts every chunk but those skip() names; returns the chunk total. */
static unsigned
broadcast(struct sim_world *w, uint16_t transfer, const uint8_t *hears,
    int (*skip)(unsigned))
{
	struct proto_request	req;
	unsigned		total = (NCARDS + 3) / 4, i;

	for (i = 0; i < total; i++) {
		if (skip != NULL && skip(i))
			continue;
		chunk_req(&req, 0, transfer, i, total);
		sim_world_broadcast(w, &req, hears, t_now);
	}
	return total;
}

static void
sha_of(const struct proto_wl_entry *e, size_t n, uint8_t sha[PROTO_SHA256_BYTES])
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

static int
commit(struct sim_world *w, int unit, uint16_t transfer, uint32_t version,
    uint32_t n, const uint8_t sha[PROTO_SHA256_BYTES])
{
	uint16_t	regs[PROTO_STAGE_COMMIT_REGS];

	regs[0] = transfer;
	proto_put_u32(regs + 1, version);
	proto_put_u32(regs + 3, n);
	proto_put_bytes(regs + 5, PROTO_SHA256_BYTES, sha);
	return t_write(w, unit, PROTO_A_STAGE_COMMIT_TRANSFER, PROTO_STAGE_COMMIT_REGS, regs);
}

static int
skip_some(unsigned i)
{
	return i == 3 || i == 17 || i == 499;
}

static void
broadcast_fills_staging_and_changes_no_list_until_the_commit(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = t_open(dir, 3, 0);
	struct proto_request	 req;
	struct proto_response	 resp;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	uint16_t		 st[4];
	int			 u;

	if (w == NULL)
		return;
	t_ctl(w, NULL, "whitelist", "2", "add", "0EEEEEEE", NULL);
	ok((t_reg(w, 1, PROTO_A_ID_CAPS) & (PROTO_CAP_STAGING | PROTO_CAP_BUCKETS)) ==
	    (PROTO_CAP_STAGING | PROTO_CAP_BUCKETS), "pilesim advertises staging and buckets");
	chunk_req(&req, 0, 7, 0, 500);
	is_int(sim_world_modbus(w, &req, &resp, t_now), -1, "a broadcast gets no reply");
	broadcast(w, 7, NULL, NULL);
	for (u = 1; u <= 3; u++) {
		t_read(w, u, PROTO_A_STAGE_STATE_TRANSFER, 4, st);
		ok(st[0] == 7 && st[1] == 500 && st[2] == 500,
		    "pile %d staged transfer 7, 500 of 500 chunks", u);
	}
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 0, "pile 1's list is still empty");
	is_int(t_reg32(w, 2, PROTO_A_WL_COUNT), 1, "pile 2 still holds its one card");

	sha_of(cards, NCARDS, sha);
	is_int(commit(w, 1, 7, 42, NCARDS, sha), PROTO_EX_ILLEGAL_FUNCTION,
	    "a commit without a session is refused");
	is_int(t_reg(w, 1, PROTO_A_CTL_LAST_ERROR), PROTO_WERR_NO_SESSION,
	    "control.last_error: no session");
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 0, "and the list is unchanged");

	is_int(t_auth(w, dir, 2), 0, "pile 2: session open");
	sha[0] ^= 1;
	is_int(commit(w, 2, 7, 42, NCARDS, sha), PROTO_EX_ILLEGAL_VALUE,
	    "a commit naming another digest is refused");
	is_int(t_reg(w, 2, PROTO_A_STAGE_COMMIT_RESULT), PROTO_COMMIT_MISMATCH,
	    "stage.commit_result: mismatch");
	is_int(t_reg32(w, 2, PROTO_A_WL_COUNT), 1, "pile 2's list is unchanged");
	sha[0] ^= 1;
	is_int(commit(w, 2, 8, 42, NCARDS, sha), PROTO_EX_ILLEGAL_VALUE,
	    "a commit of another transfer is refused");
	is_int(t_reg(w, 2, PROTO_A_STAGE_COMMIT_RESULT), PROTO_COMMIT_NO_TRANSFER,
	    "stage.commit_result: no transfer");
	is_int(commit(w, 2, 7, 42, NCARDS, sha), 0, "the right commit is taken");
	is_int(t_reg(w, 2, PROTO_A_STAGE_COMMIT_RESULT), PROTO_COMMIT_OK, "result: applied");
	is_int(t_reg32(w, 2, PROTO_A_WL_COUNT), NCARDS, "pile 2 holds the staged list");
	is_int(t_reg32(w, 2, PROTO_A_WL_VERSION), 42, "at the version the commit named");
	ok(t_reg32(w, 2, PROTO_A_WL_DIGEST) != 0, "with a digest");
	is_int(t_reg32(w, 3, PROTO_A_WL_COUNT), 0, "pile 3, not committed, is unchanged");

	/* What a restart finds is the committed list. */
	sim_world_close(w);
	w = t_open(dir, 3, 0);
	is_int(t_reg32(w, 2, PROTO_A_WL_COUNT), NCARDS, "the committed list survives a restart");
	is_int(t_reg(w, 2, PROTO_A_STAGE_STATE_TRANSFER), 0, "the staging area does not");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
missing_chunks_show_in_the_bitmap_and_block_the_commit(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = t_open(dir, 2, 0);
	struct proto_request	 req;
	uint8_t			 sha[PROTO_SHA256_BYTES], hears[3] = { 0, 1, 0 };
	uint16_t		 st[4 + PROTO_N_STAGE_MISSING];
	unsigned		 total;

	if (w == NULL)
		return;
	total = broadcast(w, 9, NULL, skip_some);
	broadcast(w, 9, hears, NULL);	/* pile 1 hears all, pile 2 misses these */
	t_read(w, 2, PROTO_A_STAGE_STATE_TRANSFER, 4 + PROTO_N_STAGE_MISSING, st);
	is_int(st[2], total - 3, "pile 2 received all but 3 chunks");
	is_int(st[4], 1u << 3, "bit 3 of register 0: chunk 3 missing");
	is_int(st[5], 1u << 1, "bit 1 of register 1: chunk 17 missing");
	is_int(st[4 + 499 / 16], 1u << (499 % 16), "chunk 499 missing");
	is_int(t_write(w, 2, PROTO_A_STAGE_MISSING_CURSOR, 1, (uint16_t[]){ 496 }), 0,
	    "stage.missing_cursor is an open write");
	t_read(w, 2, PROTO_A_STAGE_MISSING, 1, st);
	is_int(st[0], 1u << 3, "from cursor 496, bit 3 is chunk 499");
	t_read(w, 1, PROTO_A_STAGE_RECEIVED, 1, st);
	is_int(st[0], total, "pile 1 received everything");

	sha_of(cards, NCARDS, sha);
	t_auth(w, dir, 2);
	is_int(commit(w, 2, 9, 0, NCARDS, sha), PROTO_EX_ILLEGAL_VALUE,
	    "a commit with chunks missing is refused");
	is_int(t_reg(w, 2, PROTO_A_STAGE_COMMIT_RESULT), PROTO_COMMIT_MISSING,
	    "stage.commit_result: missing");
	chunk_req(&req, 2, 9, 3, total);
	is_int(t_write(w, 2, PROTO_A_STAGE_TRANSFER, PROTO_STAGE_CHUNK_REGS, req.values), 0,
	    "a chunk re-sent to pile 2 alone is answered");
	chunk_req(&req, 2, 9, 17, total);
	t_write(w, 2, PROTO_A_STAGE_TRANSFER, PROTO_STAGE_CHUNK_REGS, req.values);
	chunk_req(&req, 2, 9, 499, total);
	t_write(w, 2, PROTO_A_STAGE_TRANSFER, PROTO_STAGE_CHUNK_REGS, req.values);
	is_int(commit(w, 2, 9, 0, NCARDS, sha), 0, "then the commit is taken");
	is_int(t_reg32(w, 2, PROTO_A_WL_VERSION), 1, "version 0 lets the pile add one");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
power_cut_mid_transfer_loses_staging_and_keeps_the_list(void)
{
	char			*dir = t_tmpdir(), *out = NULL;
	struct sim_world	*w = t_open(dir, 2, 0);
	uint8_t			 sha[PROTO_SHA256_BYTES];

	if (w == NULL)
		return;
	t_ctl(w, NULL, "whitelist", "1", "add", "0EEEEEEE", NULL);
	broadcast(w, 5, NULL, skip_some);
	is_int(t_ctl(w, &out, "mains", "1", "off", NULL), 0, "ctl mains 1 off");
	ok(t_contains(out, "mains off"), "says so");
	free(out);
	is_int(t_read(w, 1, PROTO_A_WL_COUNT, 2, NULL), -1, "a pile without power does not answer");
	broadcast(w, 5, NULL, NULL);
	t_ctl(w, NULL, "mains", "1", "on", NULL);
	is_int(t_reg(w, 1, PROTO_A_STAGE_RECEIVED), 0, "its staging area is empty");
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 1, "its list is the old one");
	sha_of(cards, NCARDS, sha);
	t_auth(w, dir, 1);
	is_int(commit(w, 1, 5, 0, NCARDS, sha), PROTO_EX_ILLEGAL_VALUE, "a commit is refused");
	is_int(t_reg(w, 1, PROTO_A_STAGE_COMMIT_RESULT), PROTO_COMMIT_NO_TRANSFER,
	    "stage.commit_result: no transfer");
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 1, "the old list stays");
	is_int(t_reg(w, 2, PROTO_A_STAGE_RECEIVED), 500, "pile 2 staged everything meanwhile");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
broadcast_cannot_write_what_needs_a_session(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = t_open(dir, 1, 0);
	struct proto_request	 req;

	if (w == NULL)
		return;
	t_auth(w, dir, 1);
	memset(&req, 0, sizeof req);
	req.fc = PROTO_FC_WRITE_MULTIPLE;
	req.write_addr = PROTO_A_CTL_FORCE_OFFLINE;
	req.write_count = 2;
	proto_put_u32(req.values, T_START + 3600);
	is_int(sim_world_broadcast(w, &req, NULL, t_now), 0,
	    "a broadcast to a WA register is taken by no pile, session or not");
	is_int(t_reg32(w, 1, PROTO_A_CTL_FORCE_OFFLINE), 0, "the pile is not forced offline");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static uint16_t
bucket_digest(const struct proto_wl_entry *sorted, size_t n, unsigned b)
{
	uint8_t		wire[PROTO_WL_ENTRY_BYTES];
	uint16_t	crc = 0xFFFF;
	size_t		i;

	for (i = 0; i < n; i++)
		if (proto_wl_bucket(sorted[i].uid) == b) {
			proto_wl_entry_wire(&sorted[i], wire);
			crc = proto_crc16_update(crc, wire, sizeof wire);
		}
	return crc;
}

static void
bucket_digests_and_window_describe_the_list(void)
{
	char				*dir = t_tmpdir();
	struct sim_world		*w = t_open(dir, 1, 0);
	struct proto_request		 req;
	struct proto_response		 resp;
	struct proto_bucket_part	 parts[PROTO_BUCKET_LIST_MAX];
	struct proto_bucket_item	 items[PROTO_BUCKET_ITEMS_MAX];
	uint8_t				 sha[PROTO_SHA256_BYTES];
	uint16_t			 d[PROTO_N_WL_BUCKET_DIGESTS + 1];
	unsigned			 b, bad = 0, nitems, i, want;
	int				 np;

	if (w == NULL)
		return;
	broadcast(w, 3, NULL, NULL);
	sha_of(cards, NCARDS, sha);
	t_auth(w, dir, 1);
	/* cards[] is sorted by UID already (%08X of rising numbers). */
	is_int(commit(w, 1, 3, 0, NCARDS, sha), 0, "list committed");
	for (b = 0; b < PROTO_WL_BUCKETS; b += PROTO_N_WL_BUCKET_DIGESTS) {
		memset(&req, 0, sizeof req);
		req.unit = 1;
		req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
		req.write_addr = PROTO_A_WL_BUCKET_DIGEST_CURSOR;
		req.write_count = 1;
		req.values[0] = (uint16_t)b;
		req.read_addr = PROTO_A_WL_BUCKET_DIGEST_CURSOR;
		req.read_count = 1 + PROTO_N_WL_BUCKET_DIGESTS;
		sim_world_modbus(w, &req, &resp, t_now);
		memcpy(d, resp.regs, sizeof d);
		for (i = 0; i < PROTO_N_WL_BUCKET_DIGESTS; i++)
			if (b + i < PROTO_WL_BUCKETS ? d[1 + i] !=
			    bucket_digest(cards, NCARDS, b + i) : d[1 + i] != 0)
				bad++;
	}
	is_int(bad, 0, "all 4096 bucket digests are the CRC-16 of their entries");

	/* Eight buckets in one FC 23: counts and checks of each entry. */
	memset(&req, 0, sizeof req);
	req.unit = 1;
	req.fc = PROTO_FC_READ_WRITE_MULTIPLE;
	req.write_addr = PROTO_A_WL_BUCKET_INDEX;
	req.write_count = 1 + PROTO_BUCKET_LIST_MAX;
	for (i = 0; i < PROTO_BUCKET_LIST_MAX; i++)
		req.values[1 + i] = (uint16_t)proto_wl_bucket(cards[i * 100].uid);
	req.read_addr = PROTO_A_WL_BUCKET_WINDOW;
	req.read_count = PROTO_N_WL_BUCKET_WINDOW;
	is_int(sim_world_modbus(w, &req, &resp, t_now), 0, "bucket window read");
	np = proto_bucket_window_decode(resp.regs, 0, req.values + 1,
	    PROTO_BUCKET_LIST_MAX, parts, items, &nitems);
	ok(np >= 1, "the window decodes (%d buckets)", np);
	for (i = 0, want = 0; np > 0 && i < (unsigned)np; i++)
		want += parts[i].given;
	is_int(nitems, want, "items as the counts say");
	for (i = 0, bad = 0; i < nitems; i++) {
		const struct proto_wl_entry *e = NULL;
		size_t k;

		for (k = 0; k < NCARDS; k++)
			if (strcmp(cards[k].uid, items[i].uid) == 0)
				e = &cards[k];
		if (e == NULL || proto_wl_entry_check(e) != items[i].check ||
		    proto_wl_bucket(e->uid) != items[i].bucket)
			bad++;
	}
	is_int(bad, 0, "every item is a card of its bucket with its check");
	for (i = 0, want = 0; np > 0 && i < (unsigned)np; i++)
		want += 2 + parts[i].given * PROTO_BUCKET_ITEM_REGS;
	ok(np == PROTO_BUCKET_LIST_MAX || (np > 0 && parts[np - 1].first +
	    parts[np - 1].given < parts[np - 1].total) ||
	    want + 2 > PROTO_N_WL_BUCKET_WINDOW,
	    "a window ends with the list, a bucket cut short, or no room");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

int
main(void)
{
	make_cards();
	broadcast_fills_staging_and_changes_no_list_until_the_commit();
	missing_chunks_show_in_the_bitmap_and_block_the_commit();
	power_cut_mid_transfer_loses_staging_and_keeps_the_list();
	broadcast_cannot_write_what_needs_a_session();
	bucket_digests_and_window_describe_the_list();
	return done_testing();
}
