/* regs.c - a pile's Modbus face: reads build each block from the pile's
 * state, writes check access and the session, then act (force offline,
 * resync, clock, settings, tariff, whitelist commands, cursors). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "world.h"

#define IMG_MAX		128	/* largest block: records, 127 registers */
#define OFF(id, base)	(PROTO_A_##id - (base))

static void
bytes_to_regs(const uint8_t *b, size_t nregs, uint16_t *regs)
{
	size_t	i;

	for (i = 0; i < nregs; i++)
		regs[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
}

static void
identity_image(struct sim_pile *p, uint16_t *regs)
{
	struct proto_identity	id;

	memset(&id, 0, sizeof id);
	id.protocol = PROTO_VERSION;
	id.caps = PROTO_CAP_FC23 | PROTO_CAP_OFFLINE | PROTO_CAP_APP_ORDER |
	    PROTO_CAP_THREE_PHASE | PROTO_CAP_WHITELIST | PROTO_CAP_AUTH |
	    PROTO_CAP_WRITE_MAC | PROTO_CAP_STORE;
	if (p->signer != NULL)
		id.caps |= PROTO_CAP_SIGNED;
	snprintf(id.vendor, sizeof id.vendor, "pilecon");
	snprintf(id.model, sizeof id.model, "pilesim-ac22");
	snprintf(id.serial, sizeof id.serial, "%s", p->serial);
	snprintf(id.firmware, sizeof id.firmware, "sim-1.0");
	snprintf(id.device_id, sizeof id.device_id, "%s", p->device_id);
	if (p->protocol >= PROTO_VERSION_1_1)	/* --protocol 1.0: none of 1.1 */
		id.caps |= sim_stage_caps(p) | sim_store_caps(p);
	if (id.caps & ~(PROTO_CAP_FC23 | PROTO_CAP_OFFLINE | PROTO_CAP_APP_ORDER |
	    PROTO_CAP_THREE_PHASE | PROTO_CAP_WHITELIST | PROTO_CAP_AUTH))
		id.protocol = PROTO_VERSION_1_1;
	if (sim_pile_is_10(p)) {	/* --protocol 1.0: the caps of 1.0 only */
		id.protocol = PROTO_VERSION;
		id.caps &= PROTO_CAP_FC23 | PROTO_CAP_OFFLINE | PROTO_CAP_APP_ORDER |
		    PROTO_CAP_THREE_PHASE | PROTO_CAP_WHITELIST | PROTO_CAP_AUTH;
	}
	id.wl_capacity = p->wl.capacity;
	id.rec_capacity = p->rec_capacity;
	proto_identity_encode(&id, regs);
	if (p->signer != NULL)
		proto_put_bytes(regs + PROTO_A_ID_PUBLIC_KEY, PROTO_PUBKEY_BYTES, p->public_key);
}

static void
control_image(struct sim_pile *p, uint64_t now_ms, uint16_t *regs)
{
	uint16_t	base = PROTO_A_CTL_FORCE_OFFLINE;

	proto_put_u32(regs + OFF(CTL_FORCE_OFFLINE, base), p->forced_until);
	regs[OFF(CTL_RESYNC, base)] = 0;
	regs[OFF(CTL_RESYNC_STATE, base)] = (uint16_t)p->resync_state;
	proto_put_u32(regs + OFF(CTL_CLOCK, base), sim_pile_clock(p, now_ms));
	regs[OFF(CTL_LAST_ERROR, base)] = (uint16_t)p->last_error;
}

/* session block (1.1): session.counter; session.close reads 0. */
static void
session_image(struct sim_pile *p, uint64_t now_ms, uint16_t *regs)
{
	proto_put_u32(regs, sim_auth_session(p, now_ms) ? p->session_counter : 0);
}

static void
settings_image(struct sim_pile *p, uint16_t *regs)
{
	uint16_t	base = PROTO_A_SET_OFFLINE_CHARGING;

	regs[OFF(SET_OFFLINE_CHARGING, base)] = (uint16_t)p->offline_charging;
	regs[OFF(SET_UNKNOWN_CARD, base)] = (uint16_t)p->unknown_card;
	regs[OFF(SET_EXPIRED_CARD, base)] = (uint16_t)p->expired_card;
	proto_put_u32(regs + OFF(SET_OFFLINE_MAX_WH, base), p->offline_max_wh);
}

static void
custody_image(struct sim_pile *p, uint16_t *regs)
{
	memcpy(regs, p->custody_regs, sizeof p->custody_regs);
	regs[OFF(CUSTODY_RESULT, PROTO_A_CUSTODY_FIRST)] = (uint16_t)p->custody_result;
}

static void
whitelist_image(struct sim_pile *p, uint16_t *regs, int with_digest)
{
	uint16_t	base = PROTO_A_WL_CMD;

	memcpy(regs, p->wlcmd, sizeof p->wlcmd);
	regs[OFF(WL_RESULT, base)] = (uint16_t)p->wl_result;
	proto_put_u32(regs + OFF(WL_VERSION, base), p->wl.version);
	proto_put_u32(regs + OFF(WL_COUNT, base), p->wl.n);
	proto_put_u32(regs + OFF(WL_DIGEST, base), with_digest ? sim_wl_digest(&p->wl) : 0);
}

static void
wl_window_image(struct sim_pile *p, uint16_t *regs)
{
	uint32_t	i, n = 0;

	proto_put_u32(regs, p->wl_cursor);
	for (i = p->wl_cursor; i < p->wl.n && n < PROTO_WL_WINDOW_ENTRIES; i++, n++)
		proto_wl_entry_encode(&p->wl.items[i].e,
		    regs + PROTO_N_WL_CURSOR + 1 + n * PROTO_WL_ENTRY_REGS);
	regs[PROTO_N_WL_CURSOR] = (uint16_t)n;
}

static void
records_image(struct sim_pile *p, uint16_t *regs)
{
	uint8_t		buf[PROTO_RECORD_BYTES];
	uint32_t	seq = p->rec_cursor ? p->rec_cursor : 1;
	unsigned	n = 0;

	/* Records before rec_base were handed over and their space reused:
	 * the window starts at the oldest one held. */
	if (seq < p->rec_base)
		seq = p->rec_base;

	proto_put_u32(regs, p->rec_cursor);
	for (; n < PROTO_REC_WINDOW_RECORDS && seq <= p->last_seq; seq++, n++) {
		if (sim_store_read_raw(p, seq, buf) != 0)
			break;
		bytes_to_regs(buf, PROTO_RECORD_REGS,
		    regs + PROTO_N_REC_CURSOR + 1 + n * PROTO_RECORD_REGS);
	}
	regs[PROTO_N_REC_CURSOR] = (uint16_t)n;
}

/* 1.1: one record and its signature (r | s, zero when unsigned). */
static void
signed_window_image(struct sim_pile *p, uint16_t *regs)
{
	uint8_t		buf[PROTO_RECORD_BYTES], sig[PROTO_SIG_BYTES];
	uint32_t	seq = p->signed_cursor ? p->signed_cursor : 1;
	uint16_t	*w = regs + PROTO_N_REC_SIGNED_CURSOR;

	proto_put_u32(regs, p->signed_cursor);
	if (seq > p->last_seq || sim_store_read_raw(p, seq, buf) != 0)
		return;
	sim_sign_read(p, seq, sig);
	w[0] = 1;
	bytes_to_regs(buf, PROTO_RECORD_REGS, w + 1);
	bytes_to_regs(sig, PROTO_SIG_BYTES / 2, w + 1 + PROTO_RECORD_REGS);
}

/* The whole block holding addr as the pile shows it now. */
static void
block_image(struct sim_pile *p, const struct proto_block *b, uint16_t addr,
    uint16_t count, uint64_t now_ms, uint16_t *regs)
{
	struct proto_live	live;
	uint16_t		dig = PROTO_A_WL_DIGEST;

	memset(regs, 0, IMG_MAX * sizeof *regs);
	switch (b->addr) {
	case PROTO_IDENTITY_ADDR:
		identity_image(p, regs);
		break;
	case PROTO_LIVE_ADDR:
		sim_pile_live(p, now_ms, &live);
		proto_live_encode(&live, regs);
		live.store_id = p->store_id;
		proto_live_tail_encode(&live, regs);	/* the 1.1 tail (cap STORE) */
		break;
	case PROTO_A_AUTH_CHALLENGE:
		sim_auth_regs(p, now_ms, regs);
		break;
	case PROTO_A_CTL_FORCE_OFFLINE:
		sim_pile_catch_up(p, now_ms);
		control_image(p, now_ms, regs);
		break;
	case PROTO_A_SESSION_COUNTER:
		session_image(p, now_ms, regs);
		break;
	case PROTO_A_SET_OFFLINE_CHARGING:
		settings_image(p, regs);
		break;
	case PROTO_A_SET_FULL_POLICY:
		regs[0] = (uint16_t)p->full_policy;
		break;
	case PROTO_A_CUSTODY_FIRST:
		custody_image(p, regs);
		break;
	case PROTO_A_TARIFF_VERSION:
		proto_tariff_encode(&p->tariff, regs);
		break;
	case PROTO_A_WL_CMD:
		/* The digest walks every entry: only when it is asked for. */
		whitelist_image(p, regs, addr < dig + 2 && addr + count > dig);
		break;
	case PROTO_A_WL_CURSOR:
		wl_window_image(p, regs);
		break;
	case PROTO_A_REC_CURSOR:
		records_image(p, regs);
		break;
	case PROTO_A_STAGE_STATE_TRANSFER:
		sim_stage_status_image(p, regs);
		break;
	case PROTO_A_STAGE_COMMIT_TRANSFER:
		sim_stage_commit_image(p, regs);
		break;
	case PROTO_A_WL_BUCKET_DIGEST_CURSOR:
		sim_stage_digest_image(p, regs);
		break;
	case PROTO_A_WL_BUCKET_INDEX:
		sim_stage_bucket_image(p, regs);
		break;
	case PROTO_A_REC_SIGNED_CURSOR:
		signed_window_image(p, regs);
		break;
	}
}

/* What a pile without the signing capability lacks reads as no register:
 * the signed window and the public key at the end of the identity block. */
static int
sim_block_present(struct sim_pile *p, const struct proto_block *b, uint16_t addr,
    uint16_t count)
{
	if (p->signer != NULL)
		return 1;
	if (b->addr == PROTO_A_REC_SIGNED_CURSOR)
		return 0;
	if (b->addr == PROTO_IDENTITY_ADDR && addr + count > PROTO_A_ID_PUBLIC_KEY)
		return 0;
	return 1;
}

static int
do_read(struct sim_pile *p, uint16_t addr, uint16_t count, uint64_t now_ms,
    struct proto_response *resp)
{
	const struct proto_block	*b;
	uint16_t			 img[IMG_MAX];

	if (count == 0 || count > PROTO_READ_MAX)
		return PROTO_EX_ILLEGAL_VALUE;
	if (proto_range_valid(addr, count) != 0 || (b = proto_block_at(addr)) == NULL)
		return PROTO_EX_ILLEGAL_ADDRESS;
	if (!sim_block_present(p, b, addr, count) ||
	    (sim_pile_is_10(p) && proto_range_valid_10(addr, count) != 0))
		return PROTO_EX_ILLEGAL_ADDRESS;
	block_image(p, b, addr, count, now_ms, img);
	memcpy(resp->regs, img + (addr - b->addr), count * sizeof *img);
	resp->nregs = count;
	return 0;
}

static int
bad_value(struct sim_pile *p)
{
	p->last_error = PROTO_WERR_RANGE;
	return PROTO_EX_ILLEGAL_VALUE;
}

/* Both registers of a u32 at field, or neither: half a value is no value. */
static int
touches(uint16_t addr, uint16_t count, uint16_t field, uint16_t n, int *whole)
{
	int	first = addr <= field && field < addr + count;
	int	last = addr <= field + n - 1 && field + n - 1 < addr + count;

	*whole = first && last;
	return first || last;
}

static int
write_control(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *img,
    uint64_t now_ms)
{
	uint16_t	base = PROTO_A_CTL_FORCE_OFFLINE;
	uint32_t	clock = sim_pile_clock(p, now_ms), until, newclock;
	int		t_force, t_clock, t_resync, whole;
	uint16_t	resync;

	if ((t_force = touches(addr, count, PROTO_A_CTL_FORCE_OFFLINE, 2, &whole)) && !whole)
		return bad_value(p);
	if ((t_clock = touches(addr, count, PROTO_A_CTL_CLOCK, 2, &whole)) && !whole)
		return bad_value(p);
	t_resync = touches(addr, count, PROTO_A_CTL_RESYNC, 1, &whole);
	until = proto_get_u32(img + OFF(CTL_FORCE_OFFLINE, base));
	newclock = proto_get_u32(img + OFF(CTL_CLOCK, base));
	resync = img[OFF(CTL_RESYNC, base)];
	/* 2000-01-01: a pile clock before that is a battery gone flat. */
	if (t_clock && newclock < 946684800)
		return bad_value(p);
	if (t_clock)
		clock = newclock;
	if (t_force && until != 0 && (until <= clock || until - clock > SIM_FORCE_MAX_S))
		return bad_value(p);
	if (t_resync && resync > 1)
		return bad_value(p);

	if (t_clock)
		sim_pile_set_clock(p, newclock, now_ms);
	if (t_force)
		sim_pile_set_forced(p, until, now_ms);
	if (t_resync && resync == 1)
		return sim_pile_resync(p, now_ms);
	return 0;
}

static int
write_settings(struct sim_pile *p, const uint16_t *img)
{
	uint16_t	base = PROTO_A_SET_OFFLINE_CHARGING;

	if (img[OFF(SET_OFFLINE_CHARGING, base)] > 1 || img[OFF(SET_UNKNOWN_CARD, base)] > 1 ||
	    img[OFF(SET_EXPIRED_CARD, base)] > 1)
		return bad_value(p);
	p->offline_charging = img[OFF(SET_OFFLINE_CHARGING, base)];
	p->unknown_card = img[OFF(SET_UNKNOWN_CARD, base)];
	p->expired_card = img[OFF(SET_EXPIRED_CARD, base)];
	p->offline_max_wh = proto_get_u32(img + OFF(SET_OFFLINE_MAX_WH, base));
	p->dirty = 1;
	return 0;
}

static int
write_full_policy(struct sim_pile *p, const uint16_t *img)
{
	if (img[0] > PROTO_FULL_UNRECORDED)
		return bad_value(p);
	if (p->full_policy != img[0])
		p->dirty = 1;
	p->full_policy = img[0];
	return 0;
}

/* The custody block is written whole: range and digest in one write. The
 * pile answers normally only when it marked the range; a refusal is
 * exception 04 with custody.result saying why. */
static int
write_custody(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *img)
{
	uint16_t	base = PROTO_A_CUSTODY_FIRST;
	uint8_t		sha[PROTO_SHA256_BYTES];
	char		*cause = NULL;
	int		 rc;

	if (addr != base || count != PROTO_A_CUSTODY_RESULT - base)
		return bad_value(p);
	memcpy(p->custody_regs, img, sizeof p->custody_regs);
	proto_get_bytes(img + OFF(CUSTODY_SHA256, base), sizeof sha, sha);
	rc = sim_custody_mark(p, proto_get_u32(img + OFF(CUSTODY_FIRST, base)),
	    proto_get_u32(img + OFF(CUSTODY_LAST, base)), sha, &cause);
	if (rc < 0) {
		free(p->fault);
		p->fault = cause;
		return PROTO_EX_DEVICE_FAILURE;
	}
	p->custody_result = (unsigned)rc;
	if (rc != PROTO_CUSTODY_OK) {
		p->last_error = PROTO_WERR_RANGE;
		return PROTO_EX_DEVICE_FAILURE;
	}
	return 0;
}

static int
write_tariff(struct sim_pile *p, const uint16_t *img)
{
	struct proto_tariff	t;

	if (proto_tariff_decode(img, &t) != 0 || t.version == 0)
		return bad_value(p);
	sim_pile_receive_tariff(p, &t);
	return 0;
}

/* Runs the command block as written so far (the write covered whitelist.cmd). */
static int
whitelist_exec(struct sim_pile *p)
{
	struct proto_wl_entry	 e[PROTO_WL_WINDOW_ENTRIES];
	uint16_t		 base = PROTO_A_WL_CMD, *regs;
	unsigned		 cmd, n, i;
	uint32_t		 version;
	char			 raw[2 * PROTO_N_LIVE_LAST_UID + 1];
	char			*cause = NULL;
	int			 rc;

	cmd = p->wlcmd[OFF(WL_CMD, base)];
	version = proto_get_u32(p->wlcmd + OFF(WL_NEW_VERSION, base));
	n = p->wlcmd[OFF(WL_NENTRIES, base)];
	if (n > PROTO_WL_WINDOW_ENTRIES || cmd < PROTO_WL_UPSERT || cmd > PROTO_WL_SET_VERSION) {
		p->wl_result = PROTO_WL_BAD_COMMAND;
		return bad_value(p);
	}
	memset(e, 0, sizeof e);
	for (i = 0; i < n && (cmd == PROTO_WL_UPSERT || cmd == PROTO_WL_REMOVE); i++) {
		regs = p->wlcmd + OFF(WL_ENTRIES, base) + i * PROTO_WL_ENTRY_REGS;
		if (cmd == PROTO_WL_UPSERT) {
			if (proto_wl_entry_decode(regs, &e[i]) != 0 ||
			    proto_uid_normalize(strcpy(raw, e[i].uid), e[i].uid) != 0) {
				p->wl_result = PROTO_WL_BAD_ENTRY;
				return bad_value(p);
			}
		} else {
			proto_get_str(regs, PROTO_UID_MAX / 2, raw);
			if (proto_uid_normalize(raw, e[i].uid) != 0) {
				p->wl_result = PROTO_WL_BAD_ENTRY;
				return bad_value(p);
			}
		}
	}
	rc = sim_wl_command(&p->wl, cmd, version, e, n, &cause);
	if (rc < 0) {
		free(p->fault);
		p->fault = cause;
		return PROTO_EX_DEVICE_FAILURE;
	}
	p->wl_result = (unsigned)rc;
	if (rc == PROTO_WL_FULL) {
		p->last_error = PROTO_WERR_RANGE;
		return PROTO_EX_DEVICE_FAILURE;
	}
	if (rc == PROTO_WL_BAD_COMMAND || rc == PROTO_WL_BAD_ENTRY)
		return bad_value(p);
	return 0;
}

/* session.close: 1 ends the session now (the write came in an envelope). */
static int
write_session(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *img)
{
	int	whole;

	if (!touches(addr, count, PROTO_A_SESSION_CLOSE, 1, &whole))
		return 0;
	if (img[OFF(SESSION_CLOSE, PROTO_A_SESSION_COUNTER)] != 1)
		return bad_value(p);
	sim_auth_close(p);
	p->last_error = PROTO_WERR_NONE;
	return 0;
}

/*
 * A write as the pile applies it. proven: it came in a good envelope (1.1),
 * the only way a 1.1 pile takes a WA write; a 1.0 pile takes plain WA
 * writes inside a session.
 */
static int
apply_write(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *values,
    uint64_t now_ms, int proven)
{
	const struct proto_block	*b;
	const struct proto_reg		*r;
	uint16_t			 img[IMG_MAX], a;
	int				 wa = 0, rc = 0;

	if (count == 0 || count > PROTO_WRITE_MAX)
		return PROTO_EX_ILLEGAL_VALUE;
	if (proto_range_valid(addr, count) != 0 || (b = proto_block_at(addr)) == NULL)
		return PROTO_EX_ILLEGAL_ADDRESS;
	if (!sim_block_present(p, b, addr, count))
		return PROTO_EX_ILLEGAL_ADDRESS;
	for (a = addr; a < addr + count; a++) {
		if ((r = proto_reg_at(a)) == NULL || r->access == PROTO_R)
			return PROTO_EX_ILLEGAL_ADDRESS;
		if (r->access == PROTO_WA)
			wa = 1;
	}
	if (wa && !sim_auth_session(p, now_ms)) {
		p->last_error = PROTO_WERR_NO_SESSION;
		return PROTO_EX_ILLEGAL_FUNCTION;
	}
	/* An open session is not enough on a 1.1 pile: anyone on the bus
	 * could ride on it. */
	if (wa && !proven && sim_auth_needs_mac(p)) {
		p->last_error = PROTO_WERR_NEEDS_MAC;
		return PROTO_EX_ILLEGAL_FUNCTION;
	}

	/* Unwritten registers of the block keep their present value. */
	block_image(p, b, 0, 0, now_ms, img);
	if (b->addr == PROTO_A_WL_CMD)
		memcpy(img, p->wlcmd, sizeof p->wlcmd);
	memcpy(img + (addr - b->addr), values, count * sizeof *values);

	switch (b->addr) {
	case PROTO_A_AUTH_CHALLENGE:
		if (addr != PROTO_A_AUTH_RESPONSE || count != PROTO_N_AUTH_RESPONSE)
			return bad_value(p);
		return sim_auth_respond(p, values, now_ms);
	case PROTO_A_CTL_FORCE_OFFLINE:
		rc = write_control(p, addr, count, img, now_ms);
		break;
	case PROTO_A_SESSION_COUNTER:
		rc = write_session(p, addr, count, img);
		break;
	case PROTO_A_SET_OFFLINE_CHARGING:
		rc = write_settings(p, img);
		break;
	case PROTO_A_SET_FULL_POLICY:
		rc = write_full_policy(p, img);
		break;
	case PROTO_A_CUSTODY_FIRST:
		rc = write_custody(p, addr, count, img);
		break;
	case PROTO_A_TARIFF_VERSION:
		rc = write_tariff(p, img);
		break;
	case PROTO_A_WL_CMD:
		memcpy(p->wlcmd, img, sizeof p->wlcmd);
		if (addr == PROTO_A_WL_CMD)
			rc = whitelist_exec(p);
		break;
	case PROTO_A_WL_CURSOR:
		p->wl_cursor = proto_get_u32(img);
		break;
	case PROTO_A_REC_CURSOR:
		p->rec_cursor = proto_get_u32(img);
		break;
	case PROTO_A_STAGE_TRANSFER:
		rc = sim_stage_chunk(p, addr, count, img);
		break;
	case PROTO_A_STAGE_STATE_TRANSFER:
		p->stage.missing_cursor = img[PROTO_A_STAGE_MISSING_CURSOR -
		    PROTO_A_STAGE_STATE_TRANSFER];
		break;
	case PROTO_A_STAGE_COMMIT_TRANSFER:
		rc = sim_stage_commit(p, addr, count, img);
		break;
	case PROTO_A_WL_BUCKET_DIGEST_CURSOR:
		p->bucket_digest_cursor = img[0];
		break;
	case PROTO_A_WL_BUCKET_INDEX:
		rc = sim_stage_bucket_select(p, img);
		break;
	case PROTO_A_REC_SIGNED_CURSOR:
		p->signed_cursor = proto_get_u32(img);
		break;
	default:
		return PROTO_EX_ILLEGAL_ADDRESS;
	}
	if (p->auth_open)
		p->auth_last_ms = now_ms;	/* every accepted write keeps it open */
	if (rc == 0 && wa)
		p->last_error = PROTO_WERR_NONE;
	return rc;
}

/* An envelope's target: registers a session writes, all WA, in one block. */
static int
envelope_target_ok(uint16_t target, uint16_t count)
{
	const struct proto_reg	*r;
	unsigned		 a;

	if (proto_range_valid(target, count) != 0)
		return 0;
	for (a = target; a < (unsigned)target + count; a++)
		if ((r = proto_reg_at((uint16_t)a)) == NULL || r->access != PROTO_WA)
			return 0;
	return 1;
}

static int
write_envelope(struct sim_pile *p, const uint16_t *values, uint16_t count,
    uint64_t now_ms)
{
	struct proto_envelope	e;
	int			ex;

	if ((ex = sim_auth_envelope(p, values, count, now_ms, &e)) != 0)
		return ex;
	if (!envelope_target_ok(e.target, e.count)) {
		p->last_error = PROTO_WERR_BAD_ENVELOPE;
		return PROTO_EX_ILLEGAL_ADDRESS;
	}
	return apply_write(p, e.target, e.count, e.values, now_ms, 1);
}

static int
do_write(struct sim_pile *p, uint16_t addr, uint16_t count, const uint16_t *values,
    uint64_t now_ms)
{
	if (count == 0 || count > PROTO_WRITE_MAX)
		return PROTO_EX_ILLEGAL_VALUE;
	if (sim_pile_is_10(p) && proto_range_valid_10(addr, count) != 0)
		return PROTO_EX_ILLEGAL_ADDRESS;
	if (addr == PROTO_A_SESSION_ENVELOPE)
		return write_envelope(p, values, count, now_ms);
	return apply_write(p, addr, count, values, now_ms, 0);
}

int
sim_world_modbus(struct sim_world *w, const struct proto_request *req,
    struct proto_response *resp, uint64_t now_ms)
{
	struct sim_pile	*p;
	int		 ex = 0;

	if (req->unit == 0 || (p = sim_world_pile(w, req->unit)) == NULL ||
	    p->mains_off)
		return -1;
	sim_world_sync(w, now_ms);
	memset(resp, 0, sizeof *resp);
	resp->unit = req->unit;
	resp->fc = req->fc;
	switch (req->fc) {
	case PROTO_FC_READ_HOLDING:
	case PROTO_FC_READ_INPUT:
		ex = do_read(p, req->read_addr, req->read_count, now_ms, resp);
		break;
	case PROTO_FC_WRITE_SINGLE:
		ex = do_write(p, req->write_addr, 1, req->values, now_ms);
		resp->addr = req->write_addr;
		resp->value = req->values[0];
		break;
	case PROTO_FC_WRITE_MULTIPLE:
		ex = do_write(p, req->write_addr, req->write_count, req->values, now_ms);
		resp->addr = req->write_addr;
		resp->value = req->write_count;
		break;
	case PROTO_FC_READ_WRITE_MULTIPLE:
		if (req->write_count > PROTO_RW_WRITE_MAX)
			ex = PROTO_EX_ILLEGAL_VALUE;
		else
			ex = do_write(p, req->write_addr, req->write_count, req->values,
			    now_ms);
		if (ex == 0)
			ex = do_read(p, req->read_addr, req->read_count, now_ms, resp);
		break;
	default:
		ex = PROTO_EX_ILLEGAL_FUNCTION;
		break;
	}
	if (ex != 0) {
		resp->exception = (uint8_t)ex;
		resp->nregs = 0;
	}
	sim_pile_save(p, now_ms, 0);
	return 0;
}

/*
 * A broadcast (address 0) reaches every pile that hears it (hears[addr] set;
 * the line decides who missed it), and nobody answers. Only writes, and only
 * of open (RW) registers: a broadcast cannot ride on anyone's session.
 * Returns how many piles took it.
 */
int
sim_world_broadcast(struct sim_world *w, const struct proto_request *req,
    const uint8_t *hears, uint64_t now_ms)
{
	const struct proto_reg	*r;
	struct sim_pile		*p;
	uint16_t		 a, count;
	int			 i, took = 0;

	count = req->fc == PROTO_FC_WRITE_SINGLE ? 1 : req->write_count;
	if (req->fc != PROTO_FC_WRITE_SINGLE && req->fc != PROTO_FC_WRITE_MULTIPLE)
		return 0;
	for (a = req->write_addr; a < req->write_addr + count; a++)
		if ((r = proto_reg_at(a)) == NULL || r->access != PROTO_RW)
			return 0;
	sim_world_sync(w, now_ms);
	for (i = 1; i <= w->npiles; i++) {
		p = sim_world_pile(w, i);
		if (p->mains_off || (hears != NULL && !hears[i]))
			continue;
		if (do_write(p, req->write_addr, count, req->values, now_ms) == 0)
			took++;
		sim_pile_save(p, now_ms, 0);
	}
	return took;
}
