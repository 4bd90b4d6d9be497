/* record.c - the charging record as stored by a pile and read through the
 * record window: 124 bytes, big-endian, guarded by its own CRC-32. */
#include "config.h"

#include <string.h>

#include "proto.h"

#define REC_FORMAT	1
#define OFF_SEQ		0
#define OFF_KIND	4
#define OFF_FLAGS	5
#define OFF_STOP_REASON	6
#define OFF_FORMAT	7
#define OFF_TAG		8
#define TAG_BYTES	20
#define OFF_START	28
#define OFF_STOP	32
#define OFF_METER_START	36
#define OFF_METER_STOP	40
#define OFF_ENERGY	44
#define OFF_TARIFF	60
#define OFF_ENERGY_FEE	64
#define OFF_SERVICE_FEE	80
#define OFF_HOLDER	96
#define HOLDER_BYTES	24
#define OFF_CRC		120

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xFF;
	p[2] = (v >> 8) & 0xFF;
	p[3] = v & 0xFF;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* A NUL-padded field of size bytes, cut at a UTF-8 character boundary. */
static void
put_text(uint8_t *dst, size_t size, const char *src)
{
	char	buf[PROTO_HOLDER_MAX + 1];

	proto_utf8_copy(buf, size + 1, src);
	memset(dst, 0, size);
	memcpy(dst, buf, strlen(buf));
}

static void
get_text(const uint8_t *src, size_t size, char *dst)
{
	memcpy(dst, src, size);
	dst[size] = '\0';
}

/* The SYNCED flag is outside the CRC: a pile marks a record synced by
 * rewriting one byte, without recomputing anything. */
static uint32_t
record_crc(const uint8_t *buf)
{
	uint8_t	flags = buf[OFF_FLAGS] & ~PROTO_REC_F_SYNCED;
	uint32_t crc;

	crc = proto_crc32(buf, OFF_FLAGS);
	crc = proto_crc32_update(crc, &flags, 1);
	return proto_crc32_update(crc, buf + OFF_FLAGS + 1,
	    OFF_CRC - OFF_FLAGS - 1);
}

void
proto_record_encode(struct proto_record *rec, uint8_t out[PROTO_RECORD_BYTES])
{
	int	i;

	memset(out, 0, PROTO_RECORD_BYTES);
	put32(out + OFF_SEQ, rec->seq);
	out[OFF_KIND] = rec->kind;
	out[OFF_FLAGS] = rec->flags;
	out[OFF_STOP_REASON] = rec->stop_reason;
	out[OFF_FORMAT] = REC_FORMAT;
	put_text(out + OFF_TAG, TAG_BYTES, rec->tag);
	put32(out + OFF_START, rec->start);
	put32(out + OFF_STOP, rec->stop);
	put32(out + OFF_METER_START, rec->meter_start_wh);
	put32(out + OFF_METER_STOP, rec->meter_stop_wh);
	for (i = 0; i < PROTO_PERIODS; i++) {
		put32(out + OFF_ENERGY + 4 * i, rec->energy_wh[i]);
		put32(out + OFF_ENERGY_FEE + 4 * i, rec->energy_fee_minor[i]);
		put32(out + OFF_SERVICE_FEE + 4 * i, rec->service_fee_minor[i]);
	}
	put32(out + OFF_TARIFF, rec->tariff_version);
	put_text(out + OFF_HOLDER, HOLDER_BYTES, rec->holder);
	rec->crc = record_crc(out);
	put32(out + OFF_CRC, rec->crc);
}

/*
 * The format byte is checked first: another format may put its CRC
 * elsewhere. Then the CRC (-1, with every field still decoded so a tool can
 * show what it got), then the fields the CRC cannot vouch for.
 */
int
proto_record_decode(const uint8_t in[PROTO_RECORD_BYTES],
    struct proto_record *rec)
{
	int	i;

	memset(rec, 0, sizeof *rec);
	rec->seq = get32(in + OFF_SEQ);
	rec->kind = in[OFF_KIND];
	rec->flags = in[OFF_FLAGS];
	rec->stop_reason = in[OFF_STOP_REASON];
	get_text(in + OFF_TAG, TAG_BYTES, rec->tag);
	rec->start = get32(in + OFF_START);
	rec->stop = get32(in + OFF_STOP);
	rec->meter_start_wh = get32(in + OFF_METER_START);
	rec->meter_stop_wh = get32(in + OFF_METER_STOP);
	for (i = 0; i < PROTO_PERIODS; i++) {
		rec->energy_wh[i] = get32(in + OFF_ENERGY + 4 * i);
		rec->energy_fee_minor[i] = get32(in + OFF_ENERGY_FEE + 4 * i);
		rec->service_fee_minor[i] = get32(in + OFF_SERVICE_FEE + 4 * i);
	}
	rec->tariff_version = get32(in + OFF_TARIFF);
	get_text(in + OFF_HOLDER, HOLDER_BYTES, rec->holder);
	rec->crc = get32(in + OFF_CRC);

	if (in[OFF_FORMAT] != REC_FORMAT)
		return -2;
	if (record_crc(in) != rec->crc)
		return -1;
	if (rec->kind < PROTO_REC_OFFLINE_CARD || rec->kind > PROTO_REC_APP_ORDER)
		return -2;
	return 0;
}

uint64_t
proto_record_energy_wh(const struct proto_record *rec)
{
	uint64_t	sum = 0;
	int		i;

	for (i = 0; i < PROTO_PERIODS; i++)
		sum += rec->energy_wh[i];
	return sum;
}

uint64_t
proto_record_fee_minor(const struct proto_record *rec)
{
	uint64_t	sum = 0;
	int		i;

	for (i = 0; i < PROTO_PERIODS; i++)
		sum += (uint64_t)rec->energy_fee_minor[i] + rec->service_fee_minor[i];
	return sum;
}
