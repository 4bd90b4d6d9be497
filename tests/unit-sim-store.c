/* unit-sim-store - what the sim world keeps and who may change it: resync to
 * the cloud exactly once, the torn tail of records.bin, authenticated writes
 * and the wrong-key lockout, whitelist commands and digest. */
#include "config.h"

#include "sim-world-lib.h"

static void
charge(struct sim_world *w, int unit, const char *uid, const char *secs)
{
	char	a[8];

	snprintf(a, sizeof a, "%d", unit);
	t_ctl(w, NULL, "swipe", a, uid, NULL);
	t_ctl(w, NULL, "plug", a, NULL);
	t_ctl(w, NULL, "advance", secs, NULL);
	t_ctl(w, NULL, "unplug", a, NULL);
}

static void
resync_marks_synced_only_after_the_cloud_holds_it(void)
{
	char			*dir = t_tmpdir(), *cloud, *synced, *out = NULL;
	struct sim_world	*w = t_open(dir, 2, 0);
	struct proto_live	 l;
	char			 key[64];
	int			 i, behind = 0, seq;

	if (w == NULL)
		return;
	cloud = xasprintf("%s/cloud.jsonl", dir);
	synced = xasprintf("%s/pile-1/synced", dir);
	t_ctl(w, NULL, "whitelist", "1", "add", "04A1B2C3", NULL);
	is_int(t_auth(w, dir, 1), 0, "auth");
	t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, T_START + 86400);
	for (i = 0; i < 3; i++)
		charge(w, 1, "04A1B2C3", "600");
	sim_world_tick(w, t_now += 20);
	t_live(w, 1, &l);
	is_int(l.unsynced, 3, "3 records stay unsynced while forced offline");
	is_int(t_write(w, 1, PROTO_A_CTL_RESYNC, 1, (uint16_t[]){ 1 }), PROTO_EX_DEVICE_FAILURE,
	    "resync while forced offline: exception 04");
	is_int(t_reg(w, 1, PROTO_A_CTL_LAST_ERROR), PROTO_WERR_FORCED_OFFLINE,
	    "control.last_error 5");
	t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, 0);
	t_ctl(w, NULL, "link", "1", "down", NULL);
	is_int(t_write(w, 1, PROTO_A_CTL_RESYNC, 1, (uint16_t[]){ 1 }), PROTO_EX_DEVICE_FAILURE,
	    "resync with the back-end down: exception 04");
	is_int(t_reg(w, 1, PROTO_A_CTL_LAST_ERROR), PROTO_WERR_NO_BACKEND,
	    "control.last_error 6");
	is_int(t_size(cloud), 0, "nothing reached the cloud yet");

	t_ctl(w, NULL, "link", "1", "up", NULL);
	for (i = 0; i < 10; i++) {
		sim_world_tick(w, t_now += 20);
		/* Whatever the watermark says synced must be in the cloud file. */
		seq = (int)t_reg32(w, 1, PROTO_A_LIVE_LAST_SEQ) -
		    (int)t_reg32(w, 1, PROTO_A_LIVE_UNSYNCED);
		for (; seq > 0; seq--) {
			snprintf(key, sizeof key, "\"serial\":\"SIM-0001\",\"seq\":%d,", seq);
			if (t_count_lines(cloud, key) != 1)
				behind = 1;
		}
	}
	ok(!behind, "every synced record was already in cloud.jsonl, once");
	t_live(w, 1, &l);
	is_int(l.unsynced, 0, "link back: all uploaded");
	is_int(t_reg(w, 1, PROTO_A_CTL_RESYNC_STATE), PROTO_RESYNC_DONE, "resync_state done");
	is_int(t_count_lines(cloud, "\"serial\":\"SIM-0001\""), 3, "cloud holds 3 records");

	/* A lost acknowledgement: the pile forgets, resends, the cloud keeps one. */
	sim_world_close(w);
	{
		int fd = open(synced, O_WRONLY | O_TRUNC);
		ok(fd >= 0 && write(fd, "1\n", 2) == 2, "watermark set back to 1");
		if (fd >= 0)
			close(fd);
	}
	w = t_open(dir, 2, 0);
	if (w == NULL)
		return;
	is_int(t_reg32(w, 1, PROTO_A_LIVE_UNSYNCED), 2, "2 records unsynced again");
	for (i = 0; i < 5; i++)
		sim_world_tick(w, t_now += 20);
	is_int(t_reg32(w, 1, PROTO_A_LIVE_UNSYNCED), 0, "resent");
	is_int(t_count_lines(cloud, "\"serial\":\"SIM-0001\""), 3,
	    "duplicates acknowledged but stored once");
	is_int(t_ctl(w, &out, "cloud", "records", "--json", NULL), 0, "cloud records --json");
	ok(t_contains(out, "\"seq\":3") && t_contains(out, "\"tariff_version\":1") &&
	    out[0] == '[', "is a JSON array of the records");
	free(out);
	{
		struct proto_record rec;
		int n = 0;
		t_record(w, 1, 2, &rec, &n);
		is_int(n, 2, "window from seq 2 holds records 2 and 3");
	}
	charge(w, 1, "04A1B2C3", "60");
	sim_world_tick(w, t_now += 20);
	is_int(t_count_lines(cloud, "\"serial\":\"SIM-0001\""), 4,
	    "a new record of an online pile uploads at once");
	sim_world_close(w);
	t_rmrf(dir);
	free(cloud);
	free(synced);
	free(dir);
}

static void
torn_tail_of_records_is_dropped(void)
{
	char			*dir = t_tmpdir(), *path;
	struct sim_world	*w = t_open(dir, 1, 0);
	struct proto_record	 rec;
	uint8_t			 buf[PROTO_RECORD_BYTES];
	int			 fd, n = 0;

	if (w == NULL)
		return;
	path = xasprintf("%s/pile-1/records.bin", dir);
	t_ctl(w, NULL, "link", "1", "down", NULL);
	t_ctl(w, NULL, "whitelist", "1", "add", "04A1B2C3", NULL);
	charge(w, 1, "04A1B2C3", "600");
	charge(w, 1, "04A1B2C3", "600");
	sim_world_close(w);
	is_int(t_size(path), 2 * PROTO_RECORD_BYTES, "two records of 124 bytes");

	fd = open(path, O_RDWR | O_APPEND);
	ok(pread(fd, buf, sizeof buf, 0) == (ssize_t)sizeof buf, "copy record 1");
	ok(write(fd, buf, 60) == 60, "append half a record");
	close(fd);
	w = t_open(dir, 1, 0);
	is_int(t_reg32(w, 1, PROTO_A_LIVE_LAST_SEQ), 2, "half record dropped: last_seq 2");
	is_int(t_size(path), 2 * PROTO_RECORD_BYTES, "file cut back to whole records");
	sim_world_close(w);

	buf[0] = 0;
	buf[3] = 3;		/* seq 3, CRC now wrong */
	fd = open(path, O_RDWR | O_APPEND);
	ok(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf, "append a CRC-bad record");
	close(fd);
	w = t_open(dir, 1, 0);
	is_int(t_reg32(w, 1, PROTO_A_LIVE_LAST_SEQ), 2, "CRC-bad last record dropped");
	charge(w, 1, "04A1B2C3", "600");
	is_int(t_record(w, 1, 3, &rec, &n), 0, "next record reads back");
	is_int(rec.seq, 3, "sequence continues at 3");
	sim_world_close(w);
	t_rmrf(dir);
	free(path);
	free(dir);
}

static void
writes_need_a_session_and_wrong_keys_lock_out(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = t_open(dir, 2, 0);
	uint8_t			 bad[PROTO_KEY_BYTES], key2[PROTO_KEY_BYTES];
	uint16_t		 regs[16], old[16];
	int			 k;
	uint32_t		 lock[4];

	if (w == NULL)
		return;
	is_int(t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, T_START + 60),
	    PROTO_EX_ILLEGAL_FUNCTION, "unauthenticated write refused with exception 01");
	is_int(t_reg(w, 1, PROTO_A_CTL_LAST_ERROR), PROTO_WERR_NO_SESSION,
	    "control.last_error 1");
	is_int(t_write(w, 1, PROTO_A_LIVE_LINK, 1, (uint16_t[]){ 0 }),
	    PROTO_EX_ILLEGAL_ADDRESS, "write to a read-only register: exception 02");
	is_int(t_read(w, 1, 0x0090, 1, NULL), PROTO_EX_ILLEGAL_ADDRESS,
	    "read outside every block: exception 02");
	is_int(t_write_u32(w, 1, PROTO_A_REC_CURSOR, 1), 0, "cursors need no key");

	memset(bad, 0x5a, sizeof bad);
	for (k = 0; k < 3; k++) {
		t_response(w, 1, bad, regs);
		is_int(t_write(w, 1, PROTO_A_AUTH_RESPONSE, 16, regs), PROTO_EX_ILLEGAL_VALUE,
		    "wrong key %d refused", k + 1);
		lock[k] = t_reg(w, 1, PROTO_A_AUTH_LOCKOUT_LEFT);
		is_int(t_write(w, 1, PROTO_A_AUTH_RESPONSE, 16, regs), PROTO_EX_BUSY,
		    "attempt during lockout: exception 06");
		is_int(t_reg(w, 1, PROTO_A_CTL_LAST_ERROR), PROTO_WERR_LOCKED_OUT,
		    "control.last_error 3");
		t_ctl(w, NULL, "advance", k == 0 ? "1" : k == 1 ? "2" : "4", NULL);
	}
	ok(lock[0] == 1 && lock[1] == 2 && lock[2] == 4, "lockout grows 1, 2, 4 s "
	    "(got %u, %u, %u)", lock[0], lock[1], lock[2]);
	is_int(t_reg(w, 1, PROTO_A_AUTH_FAILURES), 3, "auth.failures counts them");

	t_response(w, 1, bad, regs);
	t_write(w, 1, PROTO_A_AUTH_RESPONSE, 16, regs);
	is_int(t_auth(w, dir, 1), PROTO_EX_BUSY, "even the right key waits out the lockout");
	t_ctl(w, NULL, "advance", "8", NULL);
	t_key(dir, 2, key2);
	t_response(w, 1, key2, regs);
	is_int(t_write(w, 1, PROTO_A_AUTH_RESPONSE, 16, regs), PROTO_EX_ILLEGAL_VALUE,
	    "pile 2's key does not open pile 1");
	t_ctl(w, NULL, "advance", "3600", NULL);
	{
		uint8_t key1[PROTO_KEY_BYTES], ch[PROTO_CHALLENGE_BYTES];
		uint16_t chregs[8];

		t_key(dir, 1, key1);
		t_read(w, 1, PROTO_A_AUTH_CHALLENGE, 8, chregs);
		proto_get_bytes(chregs, sizeof ch, ch);
		t_response(w, 1, key1, old);
		is_int(t_write(w, 1, PROTO_A_AUTH_RESPONSE, 16, old), 0,
		    "right key opens a session");
		t_session_key(1, key1, ch);
	}
	is_int(t_reg(w, 1, PROTO_A_AUTH_FAILURES), 0, "failures reset");
	is_int(t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, t_reg32(w, 1, PROTO_A_LIVE_CLOCK)
	    + 8 * 86400), PROTO_EX_ILLEGAL_VALUE, "forcing offline past 7 days: exception 03");
	is_int(t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, t_reg32(w, 1, PROTO_A_LIVE_CLOCK)
	    + 3600), 0, "forcing offline for an hour works in the session");
	t_now += 60000;
	is_int(t_write_u32(w, 1, PROTO_A_CTL_FORCE_OFFLINE, 0), PROTO_EX_ILLEGAL_FUNCTION,
	    "session closed after 60 s idle");
	is_int(t_write(w, 1, PROTO_A_AUTH_RESPONSE, 16, old), PROTO_EX_ILLEGAL_VALUE,
	    "a replayed response fails");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

static int
wl_cmd(struct sim_world *w, unsigned cmd, uint32_t version,
    const struct proto_wl_entry *e, unsigned n)
{
	uint16_t	regs[PROTO_A_WL_RESULT - PROTO_A_WL_CMD];
	unsigned	i;

	memset(regs, 0, sizeof regs);
	regs[0] = (uint16_t)cmd;
	proto_put_u32(regs + 1, version);
	regs[3] = (uint16_t)n;
	for (i = 0; i < n; i++)
		proto_wl_entry_encode(&e[i], regs + 4 + i * PROTO_WL_ENTRY_REGS);
	return t_write(w, 1, PROTO_A_WL_CMD, (uint16_t)(4 + n * PROTO_WL_ENTRY_REGS), regs);
}

static void
whitelist_commands_version_and_digest(void)
{
	char			*dir = t_tmpdir();
	struct sim_world	*w = t_open(dir, 1, 6);
	struct proto_wl_entry	 e[4], got;
	uint16_t		 regs[PROTO_N_WL_WINDOW], er[PROTO_WL_ENTRY_REGS];
	uint8_t			 wire[PROTO_WL_ENTRY_REGS * 2];
	uint32_t		 crc = 0;
	const char		*uids[4] = { "0C000001", "0A000001", "0B000001", "0D000001" };
	const char		*sorted[4] = { "0A000001", "0B000001", "0C000001", "0D000001" };
	int			 i, j, order_ok = 1;

	if (w == NULL)
		return;
	t_auth(w, dir, 1);
	memset(e, 0, sizeof e);
	for (i = 0; i < 4; i++) {
		snprintf(e[i].uid, sizeof e[i].uid, "%s", uids[i]);
		e[i].status = PROTO_WL_ACCEPTED;
		snprintf(e[i].holder, sizeof e[i].holder, "holder %d", i);
	}
	is_int(wl_cmd(w, PROTO_WL_UPSERT, 0, e, 4), 0, "upsert 4 entries in one command");
	is_int(t_reg(w, 1, PROTO_A_WL_RESULT), PROTO_WL_OK, "result ok");
	is_int(t_reg32(w, 1, PROTO_A_WL_VERSION), 1, "version 0 -> 1");
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 4, "4 entries");
	t_write_u32(w, 1, PROTO_A_WL_CURSOR, 0);
	t_read(w, 1, PROTO_A_WL_WINDOW, PROTO_N_WL_WINDOW, regs);
	is_int(regs[0], 4, "window holds 4 entries");
	for (i = 0; i < 4; i++) {
		proto_wl_entry_decode(regs + 1 + i * PROTO_WL_ENTRY_REGS, &got);
		if (strcmp(got.uid, sorted[i]) != 0)
			order_ok = 0;
		proto_wl_entry_encode(&got, er);
		for (j = 0; j < PROTO_WL_ENTRY_REGS; j++) {
			wire[2 * j] = er[j] >> 8;
			wire[2 * j + 1] = er[j] & 0xff;
		}
		crc = proto_crc32_update(crc, wire, sizeof wire);
	}
	ok(order_ok, "window is in UID order");
	is_int(t_reg32(w, 1, PROTO_A_WL_DIGEST), crc, "digest is CRC-32 of the entries "
	    "in UID order");

	e[0].status = 7;
	is_int(wl_cmd(w, PROTO_WL_UPSERT, 0, e, 1), PROTO_EX_ILLEGAL_VALUE,
	    "a bad entry: exception 03");
	is_int(t_reg(w, 1, PROTO_A_WL_RESULT), PROTO_WL_BAD_ENTRY, "result bad entry");
	e[0].status = PROTO_WL_BLOCKED;
	snprintf(e[0].uid, sizeof e[0].uid, "0E000001");
	snprintf(e[1].uid, sizeof e[1].uid, "0E000002");
	snprintf(e[2].uid, sizeof e[2].uid, "0E000003");
	is_int(wl_cmd(w, PROTO_WL_UPSERT, 0, e, 3), PROTO_EX_DEVICE_FAILURE,
	    "past capacity: exception 04");
	is_int(t_reg(w, 1, PROTO_A_WL_RESULT), PROTO_WL_FULL, "result full");
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 4, "nothing of the full command applied");
	is_int(wl_cmd(w, PROTO_WL_REMOVE, 42, e + 3, 1), 0, "remove one, version 42");
	is_int(t_reg32(w, 1, PROTO_A_WL_VERSION), 42, "version as given");
	sim_world_close(w);
	w = t_open(dir, 1, 6);
	if (w == NULL)
		return;
	is_int(t_reg32(w, 1, PROTO_A_WL_COUNT), 3, "journal replays: 3 entries after restart");
	is_int(t_reg32(w, 1, PROTO_A_WL_VERSION), 42, "and version 42");
	sim_world_close(w);
	t_rmrf(dir);
	free(dir);
}

int
main(void)
{
	resync_marks_synced_only_after_the_cloud_holds_it();
	torn_tail_of_records_is_dropped();
	writes_need_a_session_and_wrong_keys_lock_out();
	whitelist_commands_version_and_digest();
	return done_testing();
}
