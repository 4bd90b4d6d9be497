/* mkarchive - an archive of N signed records of one pile, for
 * tests/bench/pull's `logs verify` timing: a P-256 key made here, records
 * settled at one tariff (kept in the archive, so the export carries its
 * prices), each signed over its OCMF payload as a 1.1 pile signs it.
 *
 *   tests/bench/mkarchive ARCHIVE N */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/archive.h"
#include "proto/sig.h"

#define BATCH	1000

int
main(int argc, char **argv)
{
	static struct proto_record	 recs[BATCH];
	static uint8_t			 sigs[BATCH][PROTO_SIG_BYTES];
	struct proto_tariff		 t;
	struct proto_signer		*s;
	struct archive			*a;
	uint8_t				 pub[PROTO_PUBKEY_BYTES], wire[PROTO_RECORD_BYTES];
	char				*cause = NULL;
	unsigned long			 n, i;
	uint32_t			 meter = 0;
	int				 k, nb = 0;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: mkarchive ARCHIVE N\n");
		return 2;
	}
	if ((a = archive_open(argv[1], &cause)) == NULL ||
	    (s = proto_signer_generate()) == NULL) {
		fprintf(stderr, "mkarchive: %s\n", cause ? cause : "libcrypto failed");
		return 1;
	}
	proto_signer_public(s, pub);
	memset(&t, 0, sizeof t);
	t.version = 7;
	for (k = 0; k < PROTO_PERIODS; k++) {
		t.energy_price[k] = 40000 + 20000 * (uint32_t)k;
		t.service_price[k] = 10000 + 5000 * (uint32_t)k;
	}
	archive_put_tariff(a, &t, &cause);
	for (i = 1; i <= n; i++) {
		struct proto_record *r = &recs[nb];

		memset(r, 0, sizeof *r);
		r->seq = (uint32_t)i;
		r->kind = PROTO_REC_OFFLINE_CARD;
		r->flags = PROTO_REC_F_OFFLINE;
		r->stop_reason = PROTO_STOP_UNPLUGGED;
		snprintf(r->tag, sizeof r->tag, "04BE%04lX", i % 50);
		r->start = 1700000000 + (uint32_t)i * 3600;
		r->stop = r->start + 1800;
		r->meter_start_wh = meter;
		for (k = 0; k < PROTO_PERIODS; k++)
			r->energy_wh[k] = (uint32_t)((i * 37 + (unsigned long)k * 911) % 5000);
		meter += proto_record_energy_wh(r);
		r->meter_stop_wh = meter;
		r->tariff_version = t.version;
		proto_settle(&t, r->energy_wh, r->energy_fee_minor, r->service_fee_minor);
		proto_record_encode(r, wire);	/* sets the CRC the archive checks */
		if (proto_record_sign(s, r, "BENCH-0001", sigs[nb]) != 0) {
			fprintf(stderr, "mkarchive: signing failed\n");
			return 1;
		}
		if (++nb == BATCH || i == n) {
			if (archive_put_signed(a, "BENCH-0001", ARCHIVE_STORE_NONE, "PILE-BENCH-0001", recs,
			    (const uint8_t (*)[PROTO_SIG_BYTES])sigs, pub, nb, &cause) < 0) {
				fprintf(stderr, "mkarchive: %s\n", cause);
				return 1;
			}
			nb = 0;
		}
	}
	proto_signer_free(s);
	archive_close(a);
	return 0;
}
