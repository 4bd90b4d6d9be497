/* unit-proto-ocmf - the OCMF payload a 1.1 pile signs is one exact text
 * (golden), always fits, and the signature over it holds for that text only;
 * signatures and keys convert to and from DER without loss. An OCMF line
 * read back gives the record again and says whether its payload is the
 * canonical text; a malformed line is refused naming what is bad. */
#include "config.h"

#include <stdio.h>
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


/* ---- OCMF lines read back ------------------------------------------------ */

static const char sig_section[] =
	"|{\"SA\":\"ECDSA-secp256r1-SHA256\",\"SD\":\"30440220"
	"0102030405060708091011121314151617181920212223242526272829303132"
	"0220"
	"0102030405060708091011121314151617181920212223242526272829303133\"}\n";

/* "OCMF|" payload sig_section, malloc'ed. */
static char *
line_of(const char *payload)
{
	size_t	n = 5 + strlen(payload) + sizeof sig_section;
	char	*l = malloc(n);

	snprintf(l, n, "OCMF|%s%s", payload, sig_section);
	return l;
}

/* The golden line with the first "from" replaced by "to". */
static char *
golden_with(const char *from, const char *to)
{
	char	*l = line_of(golden), *at = strstr(l, from), *out;
	size_t	 n;

	if (at == NULL) {
		printf("# '%s' not in the golden line\n", from);
		return l;
	}
	n = strlen(l) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(at - l), l, to, at + strlen(from));
	free(l);
	return out;
}

static int
same_record(const struct proto_record *a, const struct proto_record *b)
{
	return a->seq == b->seq && a->kind == b->kind && a->flags == b->flags &&
	    a->stop_reason == b->stop_reason && strcmp(a->tag, b->tag) == 0 &&
	    a->start == b->start && a->stop == b->stop &&
	    a->meter_start_wh == b->meter_start_wh && a->meter_stop_wh == b->meter_stop_wh &&
	    memcmp(a->energy_wh, b->energy_wh, sizeof a->energy_wh) == 0 &&
	    memcmp(a->energy_fee_minor, b->energy_fee_minor, sizeof a->energy_fee_minor) == 0 &&
	    memcmp(a->service_fee_minor, b->service_fee_minor, sizeof a->service_fee_minor) == 0 &&
	    a->tariff_version == b->tariff_version && strcmp(a->holder, b->holder) == 0;
}

static void
an_exported_line_gives_the_record_back(void)
{
	struct proto_record	r = sample(), w;
	struct proto_ocmf	o;
	const char		*bad = NULL;
	char			*l = line_of(golden), serial[17], buf[PROTO_OCMF_PAYLOAD_MAX];
	uint8_t			wire[PROTO_RECORD_BYTES];
	int			i;

	is_int(proto_ocmf_parse(l, strlen(l), &o, &bad), 0, "the golden line parses");
	ok(bad == NULL, "and names nothing bad");
	ok(o.canonical, "its payload is the canonical one");
	ok(same_record(&o.rec, &r), "the record is the one signed");
	proto_record_encode(&r, wire);
	is_int(o.rec.crc, r.crc, "with the CRC the pile computed");
	is_str(o.serial, "PSIM-0001", "GS is the serial");
	is_str(o.sa, "ECDSA-secp256r1-SHA256", "SA as written");
	ok(strncmp(o.sd_hex, "30440220", 8) == 0 && strlen(o.sd_hex) == 140, "SD as written");
	ok(o.payload == l + 5 && o.payload_len == strlen(golden),
	    "the payload is the line's data section, exactly");
	free(l);

	/* The hardest record there is: control bytes, quotes, every u32 at its
	 * top, read back to the same record and the same bytes. */
	w = sample();
	memset(serial, 0x01, 16);
	serial[16] = '\0';
	memset(w.tag, 0x1f, PROTO_TAG_MAX);
	w.tag[PROTO_TAG_MAX] = '\0';
	memset(w.holder, '"', 24);
	w.holder[24] = '\0';
	w.seq = w.start = w.stop = w.meter_start_wh = w.meter_stop_wh = 0xFFFFFFFF;
	w.tariff_version = 0xFFFFFFFF;
	w.kind = PROTO_REC_APP_ORDER;
	w.stop_reason = 255;
	for (i = 0; i < PROTO_PERIODS; i++)
		w.energy_wh[i] = w.energy_fee_minor[i] = w.service_fee_minor[i] = 0xFFFFFFFF;
	proto_ocmf_payload(&w, serial, buf, sizeof buf);
	l = line_of(buf);
	is_int(proto_ocmf_parse(l, strlen(l), &o, &bad), 0, "the longest payload parses");
	ok(o.canonical && same_record(&o.rec, &w) && strcmp(o.serial, serial) == 0,
	    "to the same record, serial and canonical bytes");
	free(l);

	/* Without the line break, and with CR LF. */
	l = line_of(golden);
	is_int(proto_ocmf_parse(l, strlen(l) - 1, &o, &bad), 0, "a line without its break");
	l[strlen(l) - 1] = '\r';
	is_int(proto_ocmf_parse(l, strlen(l), &o, &bad), 0, "a line ending in CR");
	free(l);
}

static void
a_payload_other_than_the_canonical_says_so(void)
{
	static const struct { const char *from, *to, *why; } cases[] = {
		{ "\"FV\":\"1.0\",", "\"FV\": \"1.0\",", "white space" },
		{ "{\"FV\":\"1.0\",\"GI\":\"pilecon\",", "{\"GI\":\"pilecon\",\"FV\":\"1.0\",",
		  "keys in another order" },
		{ "张三", "\\u5f20三", "a character escaped" },
		{ "\"RV\":123.456", "\"RV\":123.4560", "a reading with 4 decimals" },
		{ "\"IS\":true,", "\"IS\":true,\"XZ\":[1,{\"a\":null}],", "a key added" },
		{ "\"FV\":\"1.0\",", "", "FV left out" },
		{ "\"TX\":\"L\"", "\"TX\":\"R\"", "another end code" },
		{ ",000+0000 I\",\"TX\":\"B\"", ",000+0100 I\",\"TX\":\"B\"",
		  "the start in another time zone" },
	};
	struct proto_ocmf	o;
	const char		*bad;
	char			*l;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		l = golden_with(cases[i].from, cases[i].to);
		bad = NULL;
		rc = proto_ocmf_parse(l, strlen(l), &o, &bad);
		ok(rc == 0 && !o.canonical, "%s: read, and not canonical (%s)", cases[i].why,
		    bad != NULL ? bad : "-");
		free(l);
	}
	l = golden_with(",000+0000 I\",\"TX\":\"B\"", ",000+0100 I\",\"TX\":\"B\"");
	proto_ocmf_parse(l, strlen(l), &o, &bad);
	is_int(o.rec.start, 1700000000 - 3600, "a TM at +0100 is an hour earlier in UTC");
	free(l);
}

static void
a_malformed_line_is_refused_naming_what(void)
{
	static const struct { const char *from, *to, *bad; } cases[] = {
		{ "OCMF|", "OCMX|", "OCMF|" },
		{ "OCMF|{", "OCMF|[", "payload" },
		{ "\"GS\":\"PSIM-0001\",", "", "GS" },
		{ "\"GS\":\"PSIM-0001\"", "\"GS\":\"PSIM-0001-OVERLONG\"", "GS" },
		{ "\"GS\":\"PSIM-0001\"", "\"GS\":\"\"", "GS" },
		{ "\"GS\":\"PSIM-0001\"", "\"GS\":17", "GS" },
		{ "\"PG\":\"T42\"", "\"PG\":\"42\"", "PG" },
		{ "\"PG\":\"T42\"", "\"PG\":\"T\"", "PG" },
		{ "\"PG\":\"T42\"", "\"PG\":\"T4294967296\"", "PG" },
		{ "\"PG\":\"T42\",", "", "PG" },
		{ "\"ID\":\"04A23BC45D6E7F\"", "\"ID\":\"04A23BC45D6E7F0011223\"", "ID" },
		{ "\"XH\":\"张三 \\\"Z\\\"\"", "\"XH\":\"0123456789012345678901234\"", "XH" },
		{ "\"XH\":\"张三 \\\"Z\\\"\"", "\"XH\":\"a\\u0000b\"", "XH" },
		{ "\"XH\":\"张三 \\\"Z\\\"\"", "\"XH\":\"a\\ud800b\"", "XH" },
		{ "\"XH\":\"张三 \\\"Z\\\"\"", "\"XH\":\"a\tb\"", "XH" },
		{ "\"XH\":\"张三 \\\"Z\\\"\"", "\"XH\":null", "XH" },
		{ "\"XK\":1", "\"XK\":\"1\"", "XK" },
		{ "\"XK\":1", "\"XK\":4", "XK" },
		{ "\"XK\":1", "\"XK\":01", "XK" },
		{ "\"XO\":1", "\"XO\":2", "XO" },
		{ "\"XR\":1", "\"XR\":256", "XR" },
		{ "\"XT\":3", "\"XT\":4294967296", "XT" },
		{ "\"XT\":3", "\"XT\":3.0", "XT" },
		{ "\"XT\":3", "\"XT\":-3", "XT" },
		{ "\"XT\":3,", "\"XT\":3,\"XT\":4,", "XT" },
		{ "\"XE\":[0,7000,7000,0]", "\"XE\":[0,7000,7000]", "XE" },
		{ "\"XE\":[0,7000,7000,0]", "\"XE\":[0,7000,7000,0,0]", "XE" },
		{ "\"XE\":[0,7000,7000,0]", "\"XE\":{}", "XE" },
		{ "\"XF\":[0,840,595,0]", "\"XF\":[0,840,5.95,0]", "XF" },
		{ "\"XS\":[0,560,560,0],", "", "XS" },
		{ "\"RV\":123.456", "\"RV\":123.4567", "RV" },
		{ "\"RV\":123.456", "\"RV\":\"123.456\"", "RV" },
		{ "\"RV\":123.456", "\"RV\":4294968", "RV" },
		{ "\"RV\":137.456", "\"RU\":\"kWh\"", "RV" },
		{ "2023-11-14T22:13:20,000+0000 I", "2023-02-29T22:13:20,000+0000 I", "TM" },
		{ "2023-11-14T22:13:20,000+0000 I", "2023-11-14 22:13:20", "TM" },
		{ "2023-11-14T22:13:20,000+0000 I", "1969-12-31T23:59:59,000+0000 I", "TM" },
		{ ",{\"TM\":\"2023-11-15", ",[{\"TM\":\"2023-11-15", "RD" },
		{ "\"RV\":137.456}]", "\"RV\":137.456},{}]", "RD" },
		{ "\"RD\":[", "\"RD\":[{},", "TM" },
		{ "\"}|{", "\"}{", "|" },
		{ "|{\"SA\"", "|[\"SA\"", "signature" },
		{ "\"SA\":\"ECDSA-secp256r1-SHA256\",", "", "SA" },
		{ ",\"SD\":\"", ",\"SE\":\"base64\",\"SD\":\"", "SE" },
		{ ",\"SD\":\"", ",\"SM\":\"text/plain\",\"SD\":\"", "SM" },
		{ ",\"SD\":\"30440220", ",\"SD\":\"\",\"X\":\"", "SD" },
		{ "3133\"}", "313300112233445566778899\"}", "SD" },
		{ "3133\"}", "3133\"}x", "end of line" },
		{ "3133\"}", "3133\"}|{}", "end of line" },
	};
	struct proto_ocmf	o;
	const char		*bad;
	char			*l;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		l = golden_with(cases[i].from, cases[i].to);
		bad = NULL;
		rc = proto_ocmf_parse(l, strlen(l), &o, &bad);
		ok(rc == -1 && bad != NULL && strcmp(bad, cases[i].bad) == 0,
		    "'%s' for '%s': refused naming '%s' (got %d, '%s')", cases[i].to,
		    cases[i].from, cases[i].bad, rc, bad != NULL ? bad : "(null)");
		free(l);
	}
	bad = NULL;
	is_int(proto_ocmf_parse("", 0, &o, &bad), -1, "an empty line is refused");
	is_str(bad != NULL ? bad : "", "OCMF|", "naming the OCMF| it lacks");
}

static void
a_cut_or_nul_holding_line_is_refused(void)
{
	struct proto_ocmf	o;
	const char		*bad;
	char			*l = line_of(golden), deep[4200];
	size_t			 n = strlen(l) - 1, i;	/* without the line break */
	int			 cut_ok = 1, nul_ok = 1, rc;

	/* Every cut, to the last byte: nothing read past len (ASan says). */
	for (i = 0; i < n; i++) {
		char	*copy = malloc(i + 1);

		memcpy(copy, l, i);
		if (proto_ocmf_parse(copy, i, &o, &bad) != -1 || bad == NULL)
			cut_ok = 0;
		free(copy);
	}
	ok(cut_ok, "each of the %zu cuts of a line is refused", n);
	for (i = 0; i < n; i++) {
		char	c = l[i];

		l[i] = '\0';
		if (proto_ocmf_parse(l, n, &o, &bad) != -1)
			nul_ok = 0;
		l[i] = c;
	}
	ok(nul_ok, "a NUL byte anywhere in the line is refused");
	free(l);

	/* Nesting too deep for a skipped key: refused, not a stack overflow. */
	memset(deep, '[', 4000);
	deep[4000] = '\0';
	l = golden_with("\"IS\":true,", "\"IS\":[");
	{
		size_t	len = strlen(l) + sizeof deep;
		char	*d = malloc(len), *at = strstr(l, "\"IS\":[");

		snprintf(d, len, "%.*s\"IS\":%s%s", (int)(at - l), l, deep, at + 6);
		bad = NULL;
		rc = proto_ocmf_parse(d, strlen(d), &o, &bad);
		ok(rc == -1 && bad != NULL && strcmp(bad, "payload") == 0,
		    "4000 nested arrays under a skipped key: refused as 'payload'");
		free(d);
	}
	free(l);
}

static void
the_notes_of_an_export_are_read(void)
{
	static const struct { const char *line, *bad; } badc[] = {
		{ "# public_key SIM-1 3059", "serial" },
		{ "# public_key \"SIM-1\" 305", "key" },
		{ "# public_key \"SIM-1\" 30zz", "key" },
		{ "# public_key \"SIM-0001-TOO-LONG-1\" 3059", "serial" },
		{ "# series \"SIM-1\" -1", "store_id" },
		{ "# series \"SIM-1\" 4294967296", "store_id" },
		{ "# tariff x 1,2,3,4 5,6,7,8", "version" },
		{ "# tariff 1 1,2,3 5,6,7,8", "prices" },
		{ "# tariff 1 1,2,3,4 5,6,7,8 9", "prices" },
		{ "# tariff 1 1,2,3,4", "prices" },
	};
	struct proto_ocmf_note	n;
	const char		*bad, *l;
	size_t			 i;

	l = "# public_key \"S\\u0001\" 3059ab";
	ok(proto_ocmf_note(l, strlen(l), &n, &bad) == 0 && n.kind == PROTO_NOTE_KEY &&
	    strcmp(n.serial, "S\001") == 0 && strcmp(n.key_hex, "3059ab") == 0,
	    "a key note: its serial (a JSON string) and its hex");
	l = "# series \"SIM-1\" 1280712436";
	ok(proto_ocmf_note(l, strlen(l), &n, &bad) == 0 && n.kind == PROTO_NOTE_SERIES &&
	    n.store_id == 1280712436, "a series note: its store id");
	l = "# tariff 7 120000,100000,85000,40000 40000,30000,25000,10000";
	ok(proto_ocmf_note(l, strlen(l), &n, &bad) == 0 && n.kind == PROTO_NOTE_TARIFF &&
	    n.tariff.version == 7 && n.tariff.energy_price[2] == 85000 &&
	    n.tariff.service_price[3] == 10000, "a tariff note: version and prices");
	l = "# pilecon OCMF export: one line per record";
	ok(proto_ocmf_note(l, strlen(l), &n, &bad) == 0 && n.kind == PROTO_NOTE_NONE,
	    "any other comment is no note");
	for (i = 0; i < sizeof badc / sizeof badc[0]; i++) {
		bad = NULL;
		ok(proto_ocmf_note(badc[i].line, strlen(badc[i].line), &n, &bad) == -1 &&
		    bad != NULL && strcmp(bad, badc[i].bad) == 0 && n.kind == PROTO_NOTE_NONE,
		    "'%s' is refused naming '%s'", badc[i].line, badc[i].bad);
	}
}

/* The payload escapes as pilecon-protocol(7) says, not as the JSON
 * emitter of our output does (\n there, \u000a here; DEL and a byte that
 * is not UTF-8 kept here): piles sign these bytes, so they cannot follow
 * the emitter. And such a payload reads back as canonical. */
static void
payload_escapes_as_documented(void)
{
	struct proto_record	r = sample();
	struct proto_ocmf	o;
	const char		*bad;
	char			buf[PROTO_OCMF_PAYLOAD_MAX], *l;

	strcpy(r.holder, "a\nb\x7f\xff\t\\");
	proto_ocmf_payload(&r, "PSIM-0001", buf, sizeof buf);
	ok(strstr(buf, "\"XH\":\"a\\u000ab\x7f\xff\\u0009\\\\\"}") != NULL,
	    "line break and tab as \\u00XX, DEL and a non-UTF-8 byte as they are");
	l = line_of(buf);
	ok(proto_ocmf_parse(l, strlen(l), &o, &bad) == 0 && o.canonical &&
	    strcmp(o.rec.holder, r.holder) == 0, "and that payload reads back as canonical");
	free(l);
}

int
main(void)
{
	payload_is_the_documented_text();
	worst_case_fits();
	signature_holds_for_the_payload_only();
	an_exported_line_gives_the_record_back();
	a_payload_other_than_the_canonical_says_so();
	a_malformed_line_is_refused_naming_what();
	a_cut_or_nul_holding_line_is_refused();
	the_notes_of_an_export_are_read();
	payload_escapes_as_documented();
	return done_testing();
}
