/* blocks.c - register helpers (u32, strings, bytes) and the codecs of the
 * identity and live blocks, laid out by the register map. */
#include "config.h"

#include <string.h>

#include "proto.h"

uint32_t
proto_get_u32(const uint16_t *regs)
{
	return (uint32_t)regs[0] << 16 | regs[1];
}

void
proto_put_u32(uint16_t *regs, uint32_t v)
{
	regs[0] = v >> 16;
	regs[1] = v & 0xFFFF;
}

void
proto_get_bytes(const uint16_t *regs, size_t nbytes, uint8_t *dst)
{
	size_t	i;

	for (i = 0; i < nbytes; i++)
		dst[i] = i % 2 == 0 ? regs[i / 2] >> 8 : regs[i / 2] & 0xFF;
}

void
proto_put_bytes(uint16_t *regs, size_t nbytes, const uint8_t *src)
{
	size_t	i;

	for (i = 0; i < nbytes; i++) {
		if (i % 2 == 0)
			regs[i / 2] = (uint16_t)(src[i] << 8);
		else
			regs[i / 2] |= src[i];
	}
}

void
proto_get_str(const uint16_t *regs, size_t nregs, char *dst)
{
	size_t	i;

	proto_get_bytes(regs, 2 * nregs, (uint8_t *)dst);
	dst[2 * nregs] = '\0';
	/* The first NUL ends the string; clear the rest so no stray bytes
	 * after it survive a later copy. */
	for (i = strlen(dst); i < 2 * nregs; i++)
		dst[i] = '\0';
}

/* Length of the longest prefix of src of at most max bytes that does not
 * end inside a UTF-8 character: a half character would make a whole name
 * invalid for whoever reads it. */
static size_t
utf8_fit(const char *src, size_t max)
{
	size_t	n = strnlen(src, max + 1);

	if (n > max) {
		/* src[n] is the first byte left out: while it continues a
		 * character, drop that character's leading bytes too. */
		n = max;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	return n;
}

size_t
proto_utf8_copy(char *dst, size_t size, const char *src)
{
	size_t	n;

	if (size == 0)
		return 0;
	n = utf8_fit(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

void
proto_put_str(uint16_t *regs, size_t nregs, const char *src)
{
	uint8_t	buf[2 * 256];
	size_t	max = 2 * nregs, n;

	if (max > sizeof buf)
		max = sizeof buf;
	n = utf8_fit(src, max);
	memset(buf, 0, max);
	memcpy(buf, src, n);
	proto_put_bytes(regs, max, buf);
}

/* Offset of a register inside the regs array of its block. */
#define ID_OFF(id)	(PROTO_A_##id - PROTO_IDENTITY_ADDR)
#define LIVE_OFF(id)	(PROTO_A_##id - PROTO_LIVE_ADDR)

void
proto_identity_decode(const uint16_t *regs, struct proto_identity *id)
{
	memset(id, 0, sizeof *id);
	id->protocol = regs[ID_OFF(ID_PROTOCOL)];
	id->caps = regs[ID_OFF(ID_CAPS)];
	proto_get_str(regs + ID_OFF(ID_VENDOR), PROTO_N_ID_VENDOR, id->vendor);
	proto_get_str(regs + ID_OFF(ID_MODEL), PROTO_N_ID_MODEL, id->model);
	proto_get_str(regs + ID_OFF(ID_SERIAL), PROTO_N_ID_SERIAL, id->serial);
	proto_get_str(regs + ID_OFF(ID_FIRMWARE), PROTO_N_ID_FIRMWARE,
	    id->firmware);
	proto_get_str(regs + ID_OFF(ID_DEVICE_ID), PROTO_N_ID_DEVICE_ID,
	    id->device_id);
	id->wl_capacity = proto_get_u32(regs + ID_OFF(ID_WL_CAPACITY));
	id->rec_capacity = proto_get_u32(regs + ID_OFF(ID_REC_CAPACITY));
}

void
proto_identity_encode(const struct proto_identity *id, uint16_t *regs)
{
	memset(regs, 0, PROTO_IDENTITY_COUNT * sizeof *regs);
	regs[ID_OFF(ID_PROTOCOL)] = id->protocol;
	regs[ID_OFF(ID_CAPS)] = id->caps;
	proto_put_str(regs + ID_OFF(ID_VENDOR), PROTO_N_ID_VENDOR, id->vendor);
	proto_put_str(regs + ID_OFF(ID_MODEL), PROTO_N_ID_MODEL, id->model);
	proto_put_str(regs + ID_OFF(ID_SERIAL), PROTO_N_ID_SERIAL, id->serial);
	proto_put_str(regs + ID_OFF(ID_FIRMWARE), PROTO_N_ID_FIRMWARE,
	    id->firmware);
	proto_put_str(regs + ID_OFF(ID_DEVICE_ID), PROTO_N_ID_DEVICE_ID,
	    id->device_id);
	proto_put_u32(regs + ID_OFF(ID_WL_CAPACITY), id->wl_capacity);
	proto_put_u32(regs + ID_OFF(ID_REC_CAPACITY), id->rec_capacity);
}

void
proto_live_decode(const uint16_t *regs, struct proto_live *l)
{
	int	i;

	memset(l, 0, sizeof *l);
	l->link = regs[LIVE_OFF(LIVE_LINK)];
	l->forced_until = proto_get_u32(regs + LIVE_OFF(LIVE_FORCED_UNTIL));
	l->backend = regs[LIVE_OFF(LIVE_BACKEND)];
	l->signal_dbm = (int16_t)regs[LIVE_OFF(LIVE_SIGNAL)];
	l->unsynced = proto_get_u32(regs + LIVE_OFF(LIVE_UNSYNCED));
	l->first_seq = proto_get_u32(regs + LIVE_OFF(LIVE_FIRST_SEQ));
	l->last_seq = proto_get_u32(regs + LIVE_OFF(LIVE_LAST_SEQ));
	l->card_state = regs[LIVE_OFF(LIVE_CARD_STATE)];
	proto_get_str(regs + LIVE_OFF(LIVE_LAST_UID), PROTO_N_LIVE_LAST_UID,
	    l->last_uid);
	l->last_auth = regs[LIVE_OFF(LIVE_LAST_AUTH)];
	l->last_auth_time = proto_get_u32(regs + LIVE_OFF(LIVE_LAST_AUTH_TIME));
	l->cp_state = regs[LIVE_OFF(LIVE_CP_STATE)];
	for (i = 0; i < 3; i++) {
		l->voltage_dv[i] = regs[LIVE_OFF(LIVE_VOLTAGE) + i];
		l->current_ca[i] = regs[LIVE_OFF(LIVE_CURRENT) + i];
	}
	l->power_w = proto_get_u32(regs + LIVE_OFF(LIVE_POWER));
	l->energy_wh = proto_get_u32(regs + LIVE_OFF(LIVE_ENERGY));
	l->session_id = proto_get_u32(regs + LIVE_OFF(LIVE_SESSION_ID));
	l->session_source = regs[LIVE_OFF(LIVE_SESSION_SRC)];
	l->session_energy_wh =
	    proto_get_u32(regs + LIVE_OFF(LIVE_SESSION_ENERGY));
	l->session_cost_minor =
	    proto_get_u32(regs + LIVE_OFF(LIVE_SESSION_COST));
	l->session_period = regs[LIVE_OFF(LIVE_SESSION_PERIOD)];
	l->session_tariff_version =
	    proto_get_u32(regs + LIVE_OFF(LIVE_SESSION_TARIFF));
	l->session_start = proto_get_u32(regs + LIVE_OFF(LIVE_SESSION_START));
	proto_get_str(regs + LIVE_OFF(LIVE_SESSION_TAG),
	    PROTO_N_LIVE_SESSION_TAG, l->session_tag);
	l->tariff_version = proto_get_u32(regs + LIVE_OFF(LIVE_TARIFF_VERSION));
	l->clock = proto_get_u32(regs + LIVE_OFF(LIVE_CLOCK));
	l->wl_version = proto_get_u32(regs + LIVE_OFF(LIVE_WL_VERSION));
	l->wl_count = proto_get_u32(regs + LIVE_OFF(LIVE_WL_COUNT));
	l->offline_charging = regs[LIVE_OFF(LIVE_OFFLINE_CHARGING)];
	l->unknown_card = regs[LIVE_OFF(LIVE_UNKNOWN_CARD)];
	l->expired_card = regs[LIVE_OFF(LIVE_EXPIRED_CARD)];
	l->offline_max_wh = proto_get_u32(regs + LIVE_OFF(LIVE_OFFLINE_MAX_WH));
	l->auth_state = regs[LIVE_OFF(LIVE_AUTH_STATE)];
	proto_get_str(regs + LIVE_OFF(LIVE_LAST_HOLDER),
	    PROTO_N_LIVE_LAST_HOLDER, l->last_holder);
}

void
proto_live_encode(const struct proto_live *l, uint16_t *regs)
{
	int	i;

	memset(regs, 0, PROTO_LIVE_COUNT * sizeof *regs);
	regs[LIVE_OFF(LIVE_LINK)] = l->link;
	proto_put_u32(regs + LIVE_OFF(LIVE_FORCED_UNTIL), l->forced_until);
	regs[LIVE_OFF(LIVE_BACKEND)] = l->backend;
	regs[LIVE_OFF(LIVE_SIGNAL)] = (uint16_t)(int16_t)l->signal_dbm;
	proto_put_u32(regs + LIVE_OFF(LIVE_UNSYNCED), l->unsynced);
	proto_put_u32(regs + LIVE_OFF(LIVE_FIRST_SEQ), l->first_seq);
	proto_put_u32(regs + LIVE_OFF(LIVE_LAST_SEQ), l->last_seq);
	regs[LIVE_OFF(LIVE_CARD_STATE)] = l->card_state;
	proto_put_str(regs + LIVE_OFF(LIVE_LAST_UID), PROTO_N_LIVE_LAST_UID,
	    l->last_uid);
	regs[LIVE_OFF(LIVE_LAST_AUTH)] = l->last_auth;
	proto_put_u32(regs + LIVE_OFF(LIVE_LAST_AUTH_TIME), l->last_auth_time);
	regs[LIVE_OFF(LIVE_CP_STATE)] = l->cp_state;
	for (i = 0; i < 3; i++) {
		regs[LIVE_OFF(LIVE_VOLTAGE) + i] = l->voltage_dv[i];
		regs[LIVE_OFF(LIVE_CURRENT) + i] = l->current_ca[i];
	}
	proto_put_u32(regs + LIVE_OFF(LIVE_POWER), l->power_w);
	proto_put_u32(regs + LIVE_OFF(LIVE_ENERGY), l->energy_wh);
	proto_put_u32(regs + LIVE_OFF(LIVE_SESSION_ID), l->session_id);
	regs[LIVE_OFF(LIVE_SESSION_SRC)] = l->session_source;
	proto_put_u32(regs + LIVE_OFF(LIVE_SESSION_ENERGY),
	    l->session_energy_wh);
	proto_put_u32(regs + LIVE_OFF(LIVE_SESSION_COST),
	    l->session_cost_minor);
	regs[LIVE_OFF(LIVE_SESSION_PERIOD)] = l->session_period;
	proto_put_u32(regs + LIVE_OFF(LIVE_SESSION_TARIFF),
	    l->session_tariff_version);
	proto_put_u32(regs + LIVE_OFF(LIVE_SESSION_START), l->session_start);
	proto_put_str(regs + LIVE_OFF(LIVE_SESSION_TAG),
	    PROTO_N_LIVE_SESSION_TAG, l->session_tag);
	proto_put_u32(regs + LIVE_OFF(LIVE_TARIFF_VERSION), l->tariff_version);
	proto_put_u32(regs + LIVE_OFF(LIVE_CLOCK), l->clock);
	proto_put_u32(regs + LIVE_OFF(LIVE_WL_VERSION), l->wl_version);
	proto_put_u32(regs + LIVE_OFF(LIVE_WL_COUNT), l->wl_count);
	regs[LIVE_OFF(LIVE_OFFLINE_CHARGING)] = l->offline_charging;
	regs[LIVE_OFF(LIVE_UNKNOWN_CARD)] = l->unknown_card;
	regs[LIVE_OFF(LIVE_EXPIRED_CARD)] = l->expired_card;
	proto_put_u32(regs + LIVE_OFF(LIVE_OFFLINE_MAX_WH), l->offline_max_wh);
	regs[LIVE_OFF(LIVE_AUTH_STATE)] = l->auth_state;
	proto_put_str(regs + LIVE_OFF(LIVE_LAST_HOLDER),
	    PROTO_N_LIVE_LAST_HOLDER, l->last_holder);
}

void
proto_live_tail_decode(const uint16_t *regs, struct proto_live *l)
{
	l->store_id = proto_get_u32(regs + LIVE_OFF(LIVE_STORE_ID));
	l->record_free = proto_get_u32(regs + LIVE_OFF(LIVE_RECORD_FREE));
	l->custody_count = proto_get_u32(regs + LIVE_OFF(LIVE_CUSTODY_COUNT));
	l->custody_last_seq = proto_get_u32(regs + LIVE_OFF(LIVE_CUSTODY_LAST));
	l->full_policy = regs[LIVE_OFF(LIVE_FULL_POLICY)];
	l->refused_full = proto_get_u32(regs + LIVE_OFF(LIVE_REFUSED_FULL));
	l->unrecorded = proto_get_u32(regs + LIVE_OFF(LIVE_UNRECORDED));
	l->oldest_unacked = proto_get_u32(regs + LIVE_OFF(LIVE_OLDEST_UNACKED));
}

void
proto_live_tail_encode(const struct proto_live *l, uint16_t *regs)
{
	memset(regs + PROTO_LIVE_COUNT, 0,
	    (PROTO_LIVE_COUNT_11 - PROTO_LIVE_COUNT) * sizeof *regs);
	proto_put_u32(regs + LIVE_OFF(LIVE_STORE_ID), l->store_id);
	proto_put_u32(regs + LIVE_OFF(LIVE_RECORD_FREE), l->record_free);
	proto_put_u32(regs + LIVE_OFF(LIVE_CUSTODY_COUNT), l->custody_count);
	proto_put_u32(regs + LIVE_OFF(LIVE_CUSTODY_LAST), l->custody_last_seq);
	regs[LIVE_OFF(LIVE_FULL_POLICY)] = l->full_policy;
	proto_put_u32(regs + LIVE_OFF(LIVE_REFUSED_FULL), l->refused_full);
	proto_put_u32(regs + LIVE_OFF(LIVE_UNRECORDED), l->unrecorded);
	proto_put_u32(regs + LIVE_OFF(LIVE_OLDEST_UNACKED), l->oldest_unacked);
}
