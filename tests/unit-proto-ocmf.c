/* unit-proto-ocmf - the OCMF payload a 1.1 pile signs is one exact text
 * (golden), always fits, and the signature over it holds for that text only;
 * signatures and keys convert to and from DER without loss. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "sig.h"
#include "tap.h"

static struct proto_record
sample(void)
{
	struct proto_record	r;

	memset(&r, 0, sizeof r);
	r.seq = 42;
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
	r.tariff_version = 3;
	r.energy_fee_minor[1] = 840;
	r.energy_fee_minor[2] = 595;
	r.service_fee_minor[1] = 560;
	r.service_fee_minor[2] = 560;
	strcpy(r.holder, "张三 \"Z\"");
	return r;
}

static const char golden[] =
	"{\"FV\":\"1.0\",\"GI\":\"pilecon\",\"GS\":\"PSIM-0001\",\"PG\":\"T42\","
	"\"MS\":\"PSIM-0001\",\"IS\":true,\"IL\":\"HEARSAY\",\"IT\":\"ISO14443\","
	"\"ID\":\"04A23BC45D6E7F\",\"RD\":[{\"TM\":\"2023-11-14T22:13:20,000+0000 I\","
	"\"TX\":\"B\",\"RV\":123.456,\"RI\":\"1-b:1.8.0\",\"RU\":\"kWh\",\"RT\":\"AC\","
	"\"ST\":\"G\"},{\"TM\":\"2023-11-15T00:13:20,000+0000 I\",\"TX\":\"L\","
	"\"RV\":137.456}],\"XK\":1,\"XO\":1,\"XR\":1,\"XT\":3,\"XE\":[0,7000,7000,0],"
	"\"XF\":[0,840,595,0],\"XS\":[0,560,560,0],\"XH\":\"张三 \\\"Z\\\"\"}";

static void
payload_is_the_documented_text(void)
{
	struct proto_record	r = sample();
	char			buf[PROTO_OCMF_PAYLOAD_MAX];
	size_t			n;

	n = proto_ocmf_payload(&r, "PSIM-0001", buf, sizeof buf);
	is_str(buf, golden, "payload of a card record is the documented text");
	is_int(n, strlen(golden), "length returned is the text's length");
	n = proto_ocmf_payload(&r, "PSIM-0001", buf, 10);
	is_int(n, strlen(golden), "a short buffer still returns the full length");
	ok(strlen(buf) < 10, "and is cut, NUL terminated");
}

static void
worst_case_fits(void)
{
	struct proto_record	r = sample();
	char			serial[17], buf[PROTO_OCMF_PAYLOAD_MAX];
	int			i;

	memset(serial, 0x01, 16);
	serial[16] = '\0';
	memset(r.tag, 0x02, PROTO_TAG_MAX);
	r.tag[PROTO_TAG_MAX] = '\0';
	memset(r.holder, '"', 24);
	r.holder[24] = '\0';
	r.seq = r.start = r.stop = r.meter_start_wh = r.meter_stop_wh = 0xFFFFFFFF;
	r.tariff_version = 0xFFFFFFFF;
	r.kind = r.flags = r.stop_reason = 255;
	for (i = 0; i < PROTO_PERIODS; i++)
		r.energy_wh[i] = r.energy_fee_minor[i] = r.service_fee_minor[i] = 0xFFFFFFFF;
	ok(proto_ocmf_payload(&r, serial, buf, sizeof buf) < sizeof buf,
	    "the longest possible payload fits PROTO_OCMF_PAYLOAD_MAX");
	ok(strstr(buf, "\\u0001") != NULL, "control bytes are escaped as \\u00XX");
}

static void
signature_holds_for_the_payload_only(void)
{
	struct proto_signer	*s = proto_signer_generate(), *s2;
	struct proto_verifier	*v;
	struct proto_record	 r = sample();
	uint8_t			 pub[PROTO_PUBKEY_BYTES], pub2[PROTO_PUBKEY_BYTES];
	uint8_t			 sig[PROTO_SIG_BYTES], sig2[PROTO_SIG_BYTES];
	uint8_t			 der[PROTO_SIG_DER_MAX], spki[PROTO_SPKI_BYTES], *key;
	size_t			 dlen, klen;

	ok(s != NULL, "a P-256 key is generated");
	is_int(proto_signer_public(s, pub), 0, "its public key is X | Y");
	ok(proto_pubkey_valid(pub), "and lies on the curve");
	is_int(proto_record_sign(s, &r, "PSIM-0001", sig), 0, "a record is signed");
	v = proto_verifier_new(pub);
	ok(v != NULL, "a verifier takes the public key");
	is_int(proto_record_verify(v, &r, "PSIM-0001", sig), 0, "the signature checks");
	is_int(proto_record_verify(v, &r, "PSIM-0002", sig), -1,
	    "under another serial it does not");
	r.energy_fee_minor[1]++;
	is_int(proto_record_verify(v, &r, "PSIM-0001", sig), -1, "one fee changed: bad");
	r = sample();
	strcpy(r.tag, "04A23BC45D6E70");
	is_int(proto_record_verify(v, &r, "PSIM-0001", sig), -1, "card UID changed: bad");
	r = sample();
	r.flags |= PROTO_REC_F_SYNCED;
	is_int(proto_record_verify(v, &r, "PSIM-0001", sig), 0,
	    "the synced flag is not signed (it changes after the signature)");
	r = sample();

	dlen = proto_sig_der(sig, der);
	ok(dlen >= 8 && dlen <= PROTO_SIG_DER_MAX, "the signature converts to DER");
	is_int(proto_sig_from_der(der, dlen, sig2), 0, "and back");
	is_mem(sig2, sig, sizeof sig, "to the same r | s");
	ok(proto_sig_from_der(der, dlen - 1, sig2) != 0, "cut DER is refused");

	proto_pubkey_spki(pub, spki);
	is_int(proto_pubkey_from_spki(spki, sizeof spki, pub2), 0, "key to SPKI and back");
	is_mem(pub2, pub, sizeof pub, "the same key");

	key = proto_signer_save(s, &klen);
	ok(key != NULL, "the private key saves as DER");
	s2 = proto_signer_load(key, klen);
	ok(s2 != NULL, "and loads again");
	memset(pub2, 0, sizeof pub2);
	proto_signer_public(s2, pub2);
	is_mem(pub2, pub, sizeof pub, "with the same public key");
	ok(proto_signer_load(key, klen / 2) == NULL, "a cut key file is refused");
	free(key);

	memset(pub2, 0x11, sizeof pub2);
	ok(!proto_pubkey_valid(pub2), "a point off the curve is not a key");
	ok(proto_verifier_new(pub2) == NULL, "and makes no verifier");
	proto_verifier_free(v);
	proto_signer_free(s);
	proto_signer_free(s2);
}

int
main(void)
{
	payload_is_the_documented_text();
	worst_case_fits();
	signature_holds_for_the_payload_only();
	return done_testing();
}
