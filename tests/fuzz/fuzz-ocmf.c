/* fuzz-ocmf.c - an OCMF line read back (proto_ocmf_parse) from any bytes:
 * refused with a reason, or read to a record whose text fields fit the
 * record, with its payload inside the line; a line called canonical is the
 * payload the record rebuilds, and that payload read again gives the same
 * record. The same bytes as a '#' note (proto_ocmf_note): read within
 * bounds, or refused naming what. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "proto.h"

static const char sig[] = "|{\"SA\":\"ECDSA-secp256r1-SHA256\",\"SD\":\"3006020101020101\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_ocmf	o, back;
	struct proto_ocmf_note	note;
	const char		*bad = NULL, *line = (const char *)data;
	char			payload[PROTO_OCMF_PAYLOAD_MAX];
	char			again[PROTO_OCMF_PAYLOAD_MAX + 8 + sizeof sig];
	size_t			n;
	int			rc;

	rc = proto_ocmf_note(line, size, &note, &bad);
	FUZZ_CHECK(rc == 0 || (rc == -1 && bad != NULL && note.kind == PROTO_NOTE_NONE));
	FUZZ_CHECK(strlen(note.serial) <= PROTO_SERIAL_MAX &&
	    strlen(note.key_hex) <= PROTO_SPKI_HEX_MAX);
	bad = NULL;
	rc = proto_ocmf_parse(line, size, &o, &bad);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc != 0) {
		FUZZ_CHECK(bad != NULL && *bad != '\0');
		return 0;
	}
	FUZZ_CHECK(o.serial[0] != '\0' && strlen(o.serial) <= PROTO_SERIAL_MAX);
	FUZZ_CHECK(strlen(o.rec.tag) <= PROTO_TAG_MAX);
	FUZZ_CHECK(strlen(o.rec.holder) < sizeof o.rec.holder);
	FUZZ_CHECK(strlen(o.sd_hex) <= PROTO_SIG_DER_HEX_MAX && o.sd_hex[0] != '\0');
	FUZZ_CHECK(o.payload == line + 5 && o.payload_len <= size - 5);
	FUZZ_CHECK(o.rec.kind >= PROTO_REC_OFFLINE_CARD && o.rec.kind <= PROTO_REC_APP_ORDER);

	/* The record's own payload is canonical and reads back the same. */
	n = proto_ocmf_payload(&o.rec, o.serial, payload, sizeof payload);
	FUZZ_CHECK(n < sizeof payload);
	FUZZ_CHECK(o.canonical == (n == o.payload_len && memcmp(payload, o.payload, n) == 0));
	snprintf(again, sizeof again, "OCMF|%s%s", payload, sig);
	FUZZ_CHECK(proto_ocmf_parse(again, strlen(again), &back, &bad) == 0);
	FUZZ_CHECK(back.canonical);
	FUZZ_CHECK(back.rec.crc == o.rec.crc);
	FUZZ_CHECK(strcmp(back.serial, o.serial) == 0);
	return 0;
}
