/* unit-proto-record - the 124-byte charging record: round trip, its CRC-32
 * catching every single-bit error, the synced flag outside the CRC,
 * impossible fields, and UTF-8 names cut on a character boundary. */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "tap.h"

static struct proto_record
sample(void)
{
	struct proto_record	r;

	memset(&r, 0, sizeof r);
	r.seq = 0x01020304;
	r.kind = PROTO_REC_OFFLINE_CARD;
	r.flags = PROTO_REC_F_OFFLINE;
	r.stop_reason = PROTO_STOP_UNPLUGGED;
	strcpy(r.tag, "04A23BC45D6E7F");
	r.start = 1700000000;
	r.stop = 1700007200;
	r.meter_start_wh = 123456;
	r.meter_stop_wh = 137456;
	r.energy_wh[1] = 7000;
	r.energy_wh[2] = 7000;
	r.tariff_version = 42;
	r.energy_fee_minor[1] = 840;
	r.energy_fee_minor[2] = 595;
	r.service_fee_minor[1] = 560;
	r.service_fee_minor[2] = 560;
	strcpy(r.holder, "张三丰 Zhang");	/* 9 + 6 bytes */
	return r;
}

static int
same(const struct proto_record *a, const struct proto_record *b)
{
	return a->seq == b->seq && a->kind == b->kind && a->flags == b->flags &&
	    a->stop_reason == b->stop_reason && strcmp(a->tag, b->tag) == 0 &&
	    a->start == b->start && a->stop == b->stop &&
	    a->meter_start_wh == b->meter_start_wh &&
	    a->meter_stop_wh == b->meter_stop_wh &&
	    memcmp(a->energy_wh, b->energy_wh, sizeof a->energy_wh) == 0 &&
	    a->tariff_version == b->tariff_version &&
	    memcmp(a->energy_fee_minor, b->energy_fee_minor,
	    sizeof a->energy_fee_minor) == 0 &&
	    memcmp(a->service_fee_minor, b->service_fee_minor,
	    sizeof a->service_fee_minor) == 0 &&
	    strcmp(a->holder, b->holder) == 0 && a->crc == b->crc;
}

/* Rewrites the CRC after a deliberate edit, so that only the edited field
 * can be what decode objects to. */
static void
reseal(uint8_t *buf)
{
	uint8_t		tmp[120];
	uint32_t	crc;

	memcpy(tmp, buf, 120);
	tmp[5] &= ~PROTO_REC_F_SYNCED;
	crc = proto_crc32(tmp, 120);
	buf[120] = crc >> 24;
	buf[121] = crc >> 16;
	buf[122] = crc >> 8;
	buf[123] = crc;
}

int
main(void)
{
	struct proto_record	r = sample(), got;
	uint8_t			buf[PROTO_RECORD_BYTES], bad[PROTO_RECORD_BYTES];
	uint8_t			tmp[120];
	int			bit, missed = 0, rc, i;

	proto_record_encode(&r, buf);
	is_int(proto_record_decode(buf, &got), 0, "an encoded record decodes");
	ok(same(&r, &got), "record round trips field by field");
	ok(buf[0] == 1 && buf[1] == 2 && buf[2] == 3 && buf[3] == 4,
	    "sequence number is big-endian at byte 0");
	is_int(buf[7], 1, "format byte is 1");
	ok(memcmp(buf + 8, "04A23BC45D6E7F\0\0\0\0\0\0", 20) == 0,
	    "tag is NUL padded at byte 8");
	ok(buf[44 + 4 + 2] == 0x1B && buf[44 + 4 + 3] == 0x58,
	    "energy of period 1 (7000 Wh) is at byte 48");
	ok(memcmp(buf + 96, "张三丰 Zhang", 15) == 0 && buf[111] == 0,
	    "holder is UTF-8 at byte 96");
	is_int((uint32_t)buf[120] << 24 | buf[121] << 16 | buf[122] << 8 | buf[123],
	    proto_crc32(buf, 120), "CRC-32 of bytes 0..119 is at byte 120");
	is_int(r.crc, proto_crc32(buf, 120), "encode stores the CRC in the record");
	is_int(proto_record_energy_wh(&got), 14000, "record energy is the sum of periods");
	is_int(proto_record_fee_minor(&got), 840 + 595 + 560 + 560,
	    "record fee is energy plus service fees");

	memcpy(bad, buf, sizeof buf);
	bad[10] ^= 0x01;
	is_int(proto_record_decode(bad, &got), -1, "a changed tag fails the CRC");
	ok(got.seq == r.seq && got.energy_wh[1] == 7000,
	    "a record failing its CRC is still decoded for display");

	for (bit = 0; bit < PROTO_RECORD_BYTES * 8; bit++) {
		if (bit / 8 == 5 && 1 << (bit % 8) == PROTO_REC_F_SYNCED)
			continue;
		memcpy(bad, buf, sizeof buf);
		bad[bit / 8] ^= 1 << (bit % 8);
		if (proto_record_decode(bad, &got) == 0)
			missed++;
	}
	is_int(missed, 0, "every single-bit error but the synced flag is caught");

	memcpy(bad, buf, sizeof buf);
	bad[5] |= PROTO_REC_F_SYNCED;
	rc = proto_record_decode(bad, &got);
	is_int(rc, 0, "marking a record synced keeps its CRC valid");
	ok(got.flags == (PROTO_REC_F_OFFLINE | PROTO_REC_F_SYNCED),
	    "the synced flag reads back");
	r.flags |= PROTO_REC_F_SYNCED;
	proto_record_encode(&r, bad);
	is_mem(bad + 120, buf + 120, 4, "a synced record has the same CRC as unsynced");
	memcpy(tmp, bad, 120);
	ok(tmp[5] != buf[5], "the synced record has other flags");
	tmp[5] = buf[5];
	is_mem(tmp, buf, 120, "the synced record differs only in its flags");
	r.flags &= ~PROTO_REC_F_SYNCED;

	memcpy(bad, buf, sizeof buf);
	bad[7] = 2;
	reseal(bad);
	is_int(proto_record_decode(bad, &got), -2, "an unknown format is impossible");
	memcpy(bad, buf, sizeof buf);
	bad[4] = 0;
	reseal(bad);
	is_int(proto_record_decode(bad, &got), -2, "record kind 0 is impossible");
	bad[4] = 4;
	reseal(bad);
	is_int(proto_record_decode(bad, &got), -2, "record kind 4 is impossible");
	bad[4] = PROTO_REC_APP_ORDER;
	reseal(bad);
	is_int(proto_record_decode(bad, &got), 0, "record kind 3 (app order) is fine");

	/* 1 + 8 * 3 bytes: the eighth character would be cut at byte 24. */
	is_int(proto_utf8_copy(r.holder, sizeof r.holder, "a充电桩充电桩充电"), 22,
	    "a 25-byte holder is cut to 22 bytes, before the cut character");
	is_str(r.holder, "a充电桩充电桩充", "the cut holder ends on a whole character");
	proto_record_encode(&r, buf);
	proto_record_decode(buf, &got);
	is_str(got.holder, "a充电桩充电桩充", "the cut holder round trips");
	is_int(proto_utf8_copy(r.holder, sizeof r.holder, "充电桩充电桩充电"), 24,
	    "a holder of exactly 24 bytes is kept whole");
	proto_record_encode(&r, buf);
	proto_record_decode(buf, &got);
	is_str(got.holder, "充电桩充电桩充电", "a 24-byte holder fills its field without a NUL");
	proto_utf8_copy(r.tag, sizeof r.tag, "ORDER-2024-0000000001");
	proto_record_encode(&r, buf);
	proto_record_decode(buf, &got);
	is_str(got.tag, "ORDER-2024-000000000", "a 20-byte order id fills its field");
	is_str(proto_kind_str(PROTO_REC_APP_ORDER), "app order", "kind 3 reads app order");
	is_str(proto_stop_str(PROTO_STOP_UNPLUGGED), "unplugged", "stop reason 1 reads unplugged");
	is_str(proto_kind_str(9), "unknown", "an unlisted kind reads unknown");

	/* Every part is a uint32 on the wire; their sums are not. */
	memset(&r, 0, sizeof r);
	for (i = 0; i < PROTO_PERIODS; i++) {
		r.energy_wh[i] = 0x80000000u;
		r.energy_fee_minor[i] = 0x80000000u;
		r.service_fee_minor[i] = 0xFFFFFFFFu;
	}
	ok(proto_record_energy_wh(&r) == 4 * (uint64_t)0x80000000u,
	    "energy_sum_of_four_2G_parts_does_not_wrap_to_0");
	ok(proto_record_fee_minor(&r) == 4 * (uint64_t)0x80000000u +
	    4 * (uint64_t)0xFFFFFFFFu, "fee_sum_at_the_uint32_edge_is_exact");
	return done_testing();
}
