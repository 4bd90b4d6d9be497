/* fuzz-record.c - the charging record codec on any 124 bytes (shorter
 * inputs are NUL padded): a record that decodes re-encodes to a record that
 * decodes the same, and byte for byte to the input when its text fields are
 * NUL padded the way the encoder writes them; the SYNCED flag is outside
 * the CRC; one flipped bit is always caught. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proto.h"

#define OFF_FLAGS	5
#define OFF_TAG		8
#define TAG_BYTES	20
#define OFF_HOLDER	96
#define HOLDER_BYTES	24

static int
same_record(const struct proto_record *a, const struct proto_record *b)
{
	int	i;

	if (a->seq != b->seq || a->kind != b->kind || a->flags != b->flags ||
	    a->stop_reason != b->stop_reason || strcmp(a->tag, b->tag) != 0 ||
	    a->start != b->start || a->stop != b->stop ||
	    a->meter_start_wh != b->meter_start_wh ||
	    a->meter_stop_wh != b->meter_stop_wh ||
	    a->tariff_version != b->tariff_version || strcmp(a->holder, b->holder) != 0)
		return 0;
	for (i = 0; i < PROTO_PERIODS; i++)
		if (a->energy_wh[i] != b->energy_wh[i] ||
		    a->energy_fee_minor[i] != b->energy_fee_minor[i] ||
		    a->service_fee_minor[i] != b->service_fee_minor[i])
			return 0;
	return 1;
}

/* A text field as the encoder writes it: the string, then only NULs. */
static int
padded(const uint8_t *p, size_t size)
{
	size_t	n = strnlen((const char *)p, size);

	for (; n < size; n++)
		if (p[n] != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_record	rec, back;
	uint8_t			in[PROTO_RECORD_BYTES], out[PROTO_RECORD_BYTES];
	uint32_t		crc;
	unsigned		bit;
	int			rc;

	memset(in, 0, sizeof in);
	memcpy(in, data, size < sizeof in ? size : sizeof in);
	rc = proto_record_decode(in, &rec);
	FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2);
	FUZZ_CHECK(strlen(rec.tag) <= PROTO_TAG_MAX);
	FUZZ_CHECK(strlen(rec.holder) <= HOLDER_BYTES);
	if (rc != 0)
		return 0;
	FUZZ_CHECK(rec.kind >= PROTO_REC_OFFLINE_CARD && rec.kind <= PROTO_REC_APP_ORDER);

	crc = rec.crc;
	proto_record_encode(&rec, out);
	FUZZ_CHECK(proto_record_decode(out, &back) == 0);
	FUZZ_CHECK(same_record(&rec, &back));
	if (padded(in + OFF_TAG, TAG_BYTES) && padded(in + OFF_HOLDER, HOLDER_BYTES)) {
		FUZZ_CHECK(rec.crc == crc);
		FUZZ_CHECK(memcmp(in, out, sizeof in) == 0);
	}

	/* Marking it synced changes one byte and keeps the CRC good. */
	out[OFF_FLAGS] ^= PROTO_REC_F_SYNCED;
	FUZZ_CHECK(proto_record_decode(out, &back) == 0);
	FUZZ_CHECK(back.flags == (rec.flags ^ PROTO_REC_F_SYNCED));
	out[OFF_FLAGS] ^= PROTO_REC_F_SYNCED;

	/* Any other single bit flip is refused (CRC-32 catches them all). */
	bit = (unsigned)(size > 0 ? data[size - 1] : 0) * 7 % (8 * PROTO_RECORD_BYTES);
	if (!(bit / 8 == OFF_FLAGS && 1u << (bit % 8) == PROTO_REC_F_SYNCED)) {
		out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		FUZZ_CHECK(proto_record_decode(out, &back) != 0);
	}
	return 0;
}
