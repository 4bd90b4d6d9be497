/* unit-sim-custody - a record store that fills: the full policy, custody of
 * records a master has verified (checked by SHA-256 against the pile's own
 * records, kept across power loss), reuse of their space, and the kill-safe
 * rewrite of records.bin when the store makes room. */
#include "config.h"

#include "sim-world-lib.h"

#define UID	"04A1B2C3"

static struct sim_world *
open_cap(const char *dir, uint32_t capacity, int policy)
{
	struct sim_config	 cfg = { .dir = dir, .npiles = 1, .rec_capacity = capacity,
	    .start_clock = T_START };
	struct sim_world	*w;
	char			*cause = NULL;

	if (policy >= 0) {
		cfg.set_full_policy = 1;
		cfg.full_policy = (unsigned)policy;
	}
	if ((w = sim_world_open(&cfg, &cause)) == NULL) {
		printf("# sim_world_open: %s\n", cause);
		free(cause);
	}
	return w;
}

/* One offline session; returns the auth result of the swipe. */
static unsigned
charge(struct sim_world *w)
{
	unsigned	result;

	t_ctl(w, NULL, "swipe", "1", UID, NULL);
	result = t_reg(w, 1, PROTO_A_LIVE_LAST_AUTH);
	t_ctl(w, NULL, "plug", "1", NULL);
	t_ctl(w, NULL, "advance", "600", NULL);
	t_ctl(w, NULL, "unplug", "1", NULL);
	return result;
}

static void
live11(struct sim_world *w, struct proto_live *l)
{
	uint16_t	regs[PROTO_LIVE_COUNT_11];

	memset(regs, 0, sizeof regs);
	t_read(w, 1, PROTO_LIVE_ADDR, PROTO_LIVE_COUNT_11, regs);
	proto_live_decode(regs, l);
	proto_live_tail_decode(regs, l);
}

/* The custody digest as a master computes it from the records it pulled:
 * their wire bytes with the synced flag cleared, in order. tamper_seq != 0
 * flips one byte of that record (the holder name) first. */
static void
digest(struct sim_world *w, uint32_t first, uint32_t last, uint32_t tamper_seq,
    uint8_t out[PROTO_SHA256_BYTES])
{
	crypto_hash_sha256_state	st;
	struct proto_record		rec;
	uint8_t				buf[PROTO_RECORD_BYTES];
	uint32_t			seq;
	int				n;

	crypto_hash_sha256_init(&st);
	for (seq = first; seq <= last; seq++) {
		memset(&rec, 0, sizeof rec);
		if (t_record(w, 1, seq, &rec, &n) != 0)
			printf("# record %u unreadable\n", seq);
		proto_record_encode(&rec, buf);
		buf[5] &= ~PROTO_REC_F_SYNCED;
		if (seq == tamper_seq)
			buf[100] ^= 0x01;
		crypto_hash_sha256_update(&st, buf, sizeof buf);
	}
	crypto_hash_sha256_final(&st, out);
}

static int
custody(struct sim_world *w, uint32_t first, uint32_t last, const uint8_t sha[32])
{
	uint16_t	regs[PROTO_A_CUSTODY_RESULT - PROTO_A_CUSTODY_FIRST];

	proto_put_u32(regs, first);
	proto_put_u32(regs + 2, last);
	proto_put_bytes(regs + 4, PROTO_SHA256_BYTES, sha);
	return t_write(w, 1, PROTO_A_CUSTODY_FIRST, sizeof regs / sizeof regs[0], regs);
}

static struct sim_world *
offline_pile(const char *dir, uint32_t capacity, int policy)
{
	struct sim_world	*w = open_cap(dir, capacity, policy);

	if (w == NULL)
		return NULL;
	t_ctl(w, NULL, "link", "1", "down", NULL);
	t_ctl(w, NULL, "whitelist", "1", "add", UID, NULL);
	return w;
}

static void
full_store_refuses_the_next_card_until_records_go_into_custody(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = offline_pile(dir, 100, -1);
	struct proto_live	 l;
	struct proto_identity	 id;
	uint16_t		 regs[PROTO_IDENTITY_COUNT_11];
	uint8_t			 sha[PROTO_SHA256_BYTES];
	int			 i, refused = 0;

	if (w == NULL)
		return;
	t_read(w, 1, PROTO_IDENTITY_ADDR, PROTO_IDENTITY_COUNT_11, regs);
	proto_identity_decode(regs, &id);
	is_int(id.rec_capacity, 100, "identity.record_capacity is --record-capacity");
	ok((id.caps & PROTO_CAP_STORE) && (id.caps & PROTO_CAP_CUSTODY),
	    "capabilities name store and custody");
	for (i = 0; i < 100; i++)
		refused += charge(w) != PROTO_AUTH_ACCEPTED;
	is_int(refused, 0, "100 offline sessions fill the store");
	live11(w, &l);
	is_int(l.record_free, 0, "live.record_free 0");
	is_int(l.unsynced, 100, "100 unsynced");
	is_int(l.full_policy, PROTO_FULL_REFUSE, "refuse is the default policy");
	is_int(l.oldest_unacked, T_START, "oldest unacknowledged record started first");

	is_int(charge(w), PROTO_AUTH_STORE_FULL, "the 101st card is refused: store full");
	live11(w, &l);
	is_int(l.last_seq, 100, "no record 101");
	is_int(l.refused_full, 1, "live.refused_full 1");
	is_int(t_reg32(w, 1, PROTO_A_LIVE_SESSION_ID), 0, "no session runs");

	is_int(t_auth(w, dir, 1), 0, "auth");
	digest(w, 1, 100, 0, sha);
	is_int(custody(w, 1, 100, sha), 0, "custody of 1..100 accepted");
	is_int(t_reg(w, 1, PROTO_A_CUSTODY_RESULT), PROTO_CUSTODY_OK, "custody.result ok");
	live11(w, &l);
	is_int(l.custody_count, 100, "100 records in custody");
	is_int(l.custody_last_seq, 100, "custody_last_seq 100");

	is_int(charge(w), PROTO_AUTH_ACCEPTED, "the next card charges");
	live11(w, &l);
	is_int(l.last_seq, 101, "its record is stored as 101");
	ok(l.first_seq > 1 && l.last_seq - l.first_seq + 1 <= 100,
	    "the oldest records in custody gave their space");
	is_int(l.custody_count, 100 - (l.first_seq - 1), "custody counts records still held");
	is_int(l.unsynced, 101 - (l.first_seq - 1), "unsynced counts records held");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
tampered_digest_is_refused_and_marks_nothing(void)
{
	char			*dir = t_tmpdir(), *log;
	struct sim_world	*w = offline_pile(dir, 100, -1);
	struct proto_live	 l;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	int			 i;

	if (w == NULL)
		return;
	log = xasprintf("%s/pile-1/custody.log", dir);
	for (i = 0; i < 10; i++)
		charge(w);
	is_int(t_auth(w, dir, 1), 0, "auth");
	digest(w, 1, 10, 7, sha);
	is_int(custody(w, 1, 10, sha), PROTO_EX_DEVICE_FAILURE,
	    "custody with one byte of record 7 changed: exception 04");
	is_int(t_reg(w, 1, PROTO_A_CUSTODY_RESULT), PROTO_CUSTODY_MISMATCH,
	    "custody.result mismatch");
	live11(w, &l);
	is_int(l.custody_count, 0, "nothing in custody");
	is_int(l.custody_last_seq, 0, "custody_last_seq 0");
	is_int(t_size(log), 0, "custody.log empty");

	digest(w, 1, 10, 0, sha);
	is_int(custody(w, 5, 11, sha), PROTO_EX_DEVICE_FAILURE, "range past the newest record");
	is_int(t_reg(w, 1, PROTO_A_CUSTODY_RESULT), PROTO_CUSTODY_NOT_HELD, "custody.result not held");
	is_int(custody(w, 9, 3, sha), PROTO_EX_DEVICE_FAILURE, "reversed range");
	is_int(t_reg(w, 1, PROTO_A_CUSTODY_RESULT), PROTO_CUSTODY_BAD_RANGE, "custody.result bad range");
	sim_world_close(w);
	w = open_cap(dir, 100, -1);
	if (w != NULL) {
		is_int(t_write(w, 1, PROTO_A_CUSTODY_FIRST, 20, (uint16_t[20]){ 0 }),
		    PROTO_EX_ILLEGAL_FUNCTION, "custody without a session is refused");
		sim_world_close(w);
	}
	free(log);
	t_rmrf(dir);
	free(dir);
}

static void
custody_marks_survive_power_loss(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = offline_pile(dir, 20, -1);
	struct proto_live	 l;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	int			 i;

	if (w == NULL)
		return;
	for (i = 0; i < 20; i++)
		charge(w);
	is_int(t_auth(w, dir, 1), 0, "auth");
	digest(w, 1, 20, 0, sha);
	is_int(custody(w, 1, 20, sha), 0, "custody of 1..20");
	/* Power off before the next session: custody.log was fsynced when the
	 * master heard "done"; the state file plays no part. */
	sim_world_close(w);
	w = open_cap(dir, 20, -1);
	if (w == NULL)
		return;
	live11(w, &l);
	is_int(l.custody_count, 20, "after power loss: 20 records still in custody");
	is_int(l.custody_last_seq, 20, "custody_last_seq 20");
	is_int(charge(w), PROTO_AUTH_ACCEPTED, "the full store takes the next card");
	live11(w, &l);
	is_int(l.last_seq, 21, "record 21 stored");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static void
unrecorded_policy_charges_and_counts(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = offline_pile(dir, 5, PROTO_FULL_UNRECORDED);
	struct proto_live	 l;
	int			 i;

	if (w == NULL)
		return;
	for (i = 0; i < 5; i++)
		charge(w);
	is_int(charge(w), PROTO_AUTH_ACCEPTED, "unrecorded policy: the card charges");
	live11(w, &l);
	is_int(l.last_seq, 5, "without a record");
	is_int(l.unrecorded, 1, "live.unrecorded 1");
	is_int(l.full_policy, PROTO_FULL_UNRECORDED, "live.full_policy unrecorded");
	is_int(t_auth(w, dir, 1), 0, "auth");
	is_int(t_write(w, 1, PROTO_A_SET_FULL_POLICY, 1, (uint16_t[]){ PROTO_FULL_REFUSE }), 0,
	    "settings.full_policy written");
	is_int(charge(w), PROTO_AUTH_STORE_FULL, "refuse policy now refuses");
	is_int(t_write(w, 1, PROTO_A_SET_FULL_POLICY, 1, (uint16_t[]){ 2 }),
	    PROTO_EX_ILLEGAL_VALUE, "policy 2 is out of range");
	sim_world_close(w);
	w = open_cap(dir, 5, -1);
	if (w != NULL) {
		live11(w, &l);
		is_int(l.unrecorded, 1, "the count survives a restart");
		is_int(l.refused_full, 1, "so does refused_full");
		sim_world_close(w);
	}
	t_rmrf(dir);
	free(dir);
}

/* The store rewrites records.bin to make room: a kill leaves the old file
 * (with a stray temp) or the new one, and a torn append after a rewrite is
 * cut off like any other. */
static void
compacted_store_survives_kills(void)
{
	char			*dir = t_tmpdir(), *bin, *tmp;
	struct sim_world	*w = offline_pile(dir, 10, -1);
	struct proto_live	 l;
	struct proto_record	 rec;
	uint8_t			 sha[PROTO_SHA256_BYTES];
	int			 i, n, fd;

	if (w == NULL)
		return;
	bin = xasprintf("%s/pile-1/records.bin", dir);
	tmp = xasprintf("%s/pile-1/records.bin.tmp", dir);
	for (i = 0; i < 10; i++)
		charge(w);
	is_int(t_auth(w, dir, 1), 0, "auth");
	digest(w, 1, 6, 0, sha);
	is_int(custody(w, 1, 6, sha), 0, "custody of 1..6");
	for (i = 0; i < 3; i++)
		is_int(charge(w), PROTO_AUTH_ACCEPTED, "card on a full store with custody");
	is_int(charge(w), PROTO_AUTH_ACCEPTED, "the 4th takes the next custody record");
	live11(w, &l);
	is_int(l.first_seq, 5, "records 1..4 gave their space");
	is_int(l.last_seq, 14, "last 14");
	is_int(charge(w), PROTO_AUTH_ACCEPTED, "and the 5th");
	is_int(charge(w), PROTO_AUTH_ACCEPTED, "and the 6th");
	is_int(charge(w), PROTO_AUTH_STORE_FULL, "the 7th would need a record nobody holds");
	sim_world_close(w);

	/* A kill in the middle of a rewrite: a half temp file beside the old. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && write(fd, "half a record", 13) == 13, "stray half temp file");
	if (fd >= 0)
		close(fd);
	/* And a torn append after the rewrite. */
	fd = open(bin, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "torn", 4) == 4, "torn tail appended");
	if (fd >= 0)
		close(fd);
	w = open_cap(dir, 10, -1);
	if (w == NULL)
		return;
	live11(w, &l);
	is_int(l.first_seq, 7, "reopened: first held 7");
	is_int(l.last_seq, 16, "last 16");
	is_int(t_size(bin), 10 * PROTO_RECORD_BYTES, "torn tail cut");
	ok(t_record(w, 1, 1, &rec, &n) == 0 && rec.seq == 7,
	    "a cursor before the oldest held reads from the oldest");

	/* The link comes back: resync uploads what the pile still holds. */
	t_ctl(w, NULL, "link", "1", "up", NULL);
	for (i = 0; i < 40; i++)
		sim_world_tick(w, t_now += 200);
	live11(w, &l);
	is_int(l.unsynced, 0, "resync: nothing left unsynced");
	is_int(l.custody_count, 0, "custody counts only unacknowledged records");
	is_int(l.oldest_unacked, 0, "oldest_unacked 0 when all acknowledged");
	{
		char *cloud = xasprintf("%s/cloud.jsonl", dir);
		is_int(t_count_lines(cloud, "\"serial\":\"SIM-0001\""), 10,
		    "the cloud got the 10 records still held");
		free(cloud);
	}
	sim_world_close(w);
	free(bin);
	free(tmp);
	t_rmrf(dir);
	free(dir);
}

int
main(void)
{
	full_store_refuses_the_next_card_until_records_go_into_custody();
	tampered_digest_is_refused_and_marks_nothing();
	custody_marks_survive_power_loss();
	unrecorded_policy_charges_and_counts();
	compacted_store_survives_kills();
	return done_testing();
}
