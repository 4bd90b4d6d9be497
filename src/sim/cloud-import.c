/* cloud-import.c - `pilesim ctl cloud import FILE [--json]`: the emulated
 * cloud takes a pilecon export (CSV, JSON Lines or OCMF) as an operator
 * would: every record verified (its signature with the key the cloud holds
 * for the pile, its CRC on an unsigned pile, its money against its energy
 * and the tariff the cloud published), then merged with what resync
 * delivered, exactly once by pile serial, store identity and seq. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"
#include "proto/sig.h"
#include "ctl.h"

struct import {
	struct sim_cloud	*c;
	const char		*path;
	unsigned		 lineno;
	uint64_t		 records, received, duplicates, refused;
	FILE			*refusals;	/* JSON array items or text lines */
	char			*rbuf;
	size_t			 rlen;
	int			 json;
	struct proto_verifier	*ver;		/* the last pile's key, parsed */
	uint8_t			 ver_pub[PROTO_PUBKEY_BYTES];
};

/* One refused record: why, in a token (the JSON "reason") and a sentence. */
static void
refuse(struct import *im, const char *serial, uint32_t store_id, int have_seq,
    uint32_t seq, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
refuse(struct import *im, const char *serial, uint32_t store_id, int have_seq,
    uint32_t seq, const char *reason, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	im->refused++;
	if (im->json) {
		fprintf(im->refusals, "%s{\"line\":%u,\"pile\":", im->refused > 1 ? "," : "",
		    im->lineno);
		if (serial != NULL)
			json_write_str(im->refusals, serial);
		else
			fputs("null", im->refusals);
		if (store_id != 0)
			fprintf(im->refusals, ",\"store_id\":%" PRIu32, store_id);
		else
			fputs(",\"store_id\":null", im->refusals);
		if (have_seq)
			fprintf(im->refusals, ",\"seq\":%" PRIu32, seq);
		else
			fputs(",\"seq\":null", im->refusals);
		fputs(",\"reason\":", im->refusals);
		json_write_str(im->refusals, reason);
		fputs(",\"message\":", im->refusals);
		json_write_str(im->refusals, text);
		fputc('}', im->refusals);
	} else
		fprintf(im->refusals, _("refused: %s:%u: %s\n"), im->path, im->lineno, text);
	free(text);
}

static int
check_signature(struct import *im, const char *serial, uint32_t store_id,
    const struct proto_record *r, const uint8_t *sig, const char *payload,
    size_t payload_len)
{
	const uint8_t	*pub = sim_cloud_key(im->c, serial);
	int		 rc;

	if (sig == NULL) {
		if (pub == NULL)
			return 0;	/* a 1.0 pile: its CRC is checked instead */
		refuse(im, serial, store_id, 1, r->seq, "unsigned", _("%s seq %u: no "
		    "signature, but the cloud knows this pile signs its records"), serial,
		    r->seq);
		return -1;
	}
	if (pub == NULL) {
		refuse(im, serial, store_id, 1, r->seq, "key", _("%s seq %u: signed, but "
		    "the cloud knows no public key for this pile"), serial, r->seq);
		return -1;
	}
	if (im->ver == NULL || memcmp(im->ver_pub, pub, PROTO_PUBKEY_BYTES) != 0) {
		proto_verifier_free(im->ver);
		memcpy(im->ver_pub, pub, PROTO_PUBKEY_BYTES);
		im->ver = proto_verifier_new(pub);
	}
	if (im->ver == NULL)
		rc = -1;
	else if (payload != NULL)	/* OCMF: over the payload as it stands */
		rc = proto_verifier_check(im->ver, payload, payload_len, sig);
	else
		rc = proto_record_verify(im->ver, r, serial, sig);
	if (rc != 0) {
		refuse(im, serial, store_id, 1, r->seq, "signature", _("%s seq %u: bad "
		    "signature: the record is not what the pile signed"), serial, r->seq);
		return -1;
	}
	return 0;
}

/* Money from per-period energy and the tariff the cloud published. */
static int
check_money(struct import *im, const char *serial, uint32_t store_id,
    const struct proto_record *r)
{
	const struct proto_tariff	*t = sim_cloud_tariff(im->c, r->tariff_version);
	uint32_t			 want, got, price;
	int				 i, k;
	char				 p[16];

	if (t == NULL) {
		refuse(im, serial, store_id, 1, r->seq, "tariff", _("%s seq %u: settled at "
		    "tariff version %u, which the cloud never published"), serial, r->seq,
		    r->tariff_version);
		return -1;
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < PROTO_PERIODS; i++) {
			price = k == 0 ? t->energy_price[i] : t->service_price[i];
			want = proto_fee_minor(r->energy_wh[i], price);
			got = k == 0 ? r->energy_fee_minor[i] : r->service_fee_minor[i];
			if (want == got)
				continue;
			sim_price_str(price, p);
			refuse(im, serial, store_id, 1, r->seq, "money", _("%s seq %u: %s fee "
			    "of period %s is %u, but %u Wh at %s per kWh (tariff %u) is %u"),
			    serial, r->seq, k == 0 ? "energy" : "service",
			    proto_export_periods[i], got, r->energy_wh[i], p,
			    r->tariff_version, want);
			return -1;
		}
	return 0;
}

/* The totals a CSV or JSON line repeats must be the sums of its parts. */
static int
check_sums(struct import *im, const struct proto_export_line *l, const char *serial,
    uint32_t store_id, const struct proto_record *r)
{
	static const char *const names[] = { "energy_wh", "energy_fee_minor",
	    "service_fee_minor", "total_fee_minor" };
	uint64_t	want[4] = { proto_record_energy_wh(r), 0, 0, 0 };
	uint32_t	got;
	int		i;

	for (i = 0; i < PROTO_PERIODS; i++) {
		want[1] += r->energy_fee_minor[i];
		want[2] += r->service_fee_minor[i];
	}
	want[3] = want[1] + want[2];
	for (i = 0; i < 4; i++) {
		if (proto_export_field(l, names[i]) == NULL)
			continue;
		if (proto_export_u32(l, names[i], &got) != 0 || got != want[i]) {
			refuse(im, serial, store_id, 1, r->seq, "money", _("%s seq %u: %s is "
			    "not the sum of its periods (%llu)"), serial, r->seq, names[i],
			    (unsigned long long)want[i]);
			return -1;
		}
	}
	return 0;
}

/* Verified: merge it, exactly once. */
static void
take(struct import *im, const char *serial, uint32_t store_id,
    const struct proto_record *r, int *failed, char **cause)
{
	const struct sim_cloud_rec	*held;
	int				 same;

	held = sim_cloud_find(im->c, serial, store_id, r, &same);
	if (held != NULL && same) {
		im->duplicates++;
		return;
	}
	if (held != NULL) {
		if (store_id == 0)
			refuse(im, serial, store_id, 1, r->seq, "conflict", _("%s seq %u: "
			    "the cloud holds another record under this serial and seq, and "
			    "the line names no store_id to tell them apart"), serial, r->seq);
		else
			refuse(im, serial, store_id, 1, r->seq, "conflict", _("%s store %u "
			    "seq %u: the cloud holds another record under this key"), serial,
			    store_id, r->seq);
		return;
	}
	if (sim_cloud_append(im->c, serial, store_id, SIM_VIA_IMPORT, r, cause) != 0) {
		*failed = 1;
		return;
	}
	im->received++;
}

static void
import_fields(struct import *im, const struct proto_export_line *l, int *failed,
    char **cause)
{
	struct proto_record	 r;
	const char		*serial = proto_export_field(l, "pile"), *bad = NULL;
	const char		*sighex = proto_export_field(l, "signature");
	const char		*crchex = proto_export_field(l, "crc");
	uint8_t			 sig[PROTO_SIG_BYTES], wire[PROTO_RECORD_BYTES];
	uint32_t		 store_id = 0;
	unsigned long		 crc;
	char			*end;

	im->records++;
	if (serial == NULL || *serial == '\0' || strlen(serial) > 16) {
		refuse(im, NULL, 0, 0, 0, "format", _("not a record line (field 'pile' "
		    "missing or bad)"));
		return;
	}
	/* 0, empty or absent: the store is not known (a 1.0 pile's first
	 * series, an export from before the column). */
	if (proto_export_field(l, "store_id") != NULL &&
	    *proto_export_field(l, "store_id") != '\0' &&
	    proto_export_u32(l, "store_id", &store_id) != 0) {
		refuse(im, serial, 0, 0, 0, "format", _("%s: bad store_id '%s'"), serial,
		    proto_export_field(l, "store_id"));
		return;
	}
	if (proto_export_record(l, &r, &bad) != 0) {
		refuse(im, serial, store_id, 0, 0, "format", _("%s: not a record line "
		    "(field '%s' missing or bad)"), serial, bad);
		return;
	}
	if (sighex != NULL && *sighex != '\0' && (strlen(sighex) != 2 * PROTO_SIG_BYTES ||
	    proto_hex_decode(sighex, sig, sizeof sig) != 0)) {
		refuse(im, serial, store_id, 1, r.seq, "format", _("%s seq %u: the "
		    "signature is not %d bytes of hex"), serial, r.seq, PROTO_SIG_BYTES);
		return;
	}
	if (check_signature(im, serial, store_id, &r,
	    sighex != NULL && *sighex != '\0' ? sig : NULL, NULL, 0) != 0)
		return;
	/* Every line carries its CRC: on an unsigned pile the one check of
	 * the bytes, as the pile stored them. */
	proto_record_encode(&r, wire);
	if (crchex != NULL && *crchex != '\0' &&
	    ((crc = strtoul(crchex, &end, 16)), *end != '\0' || crc != r.crc)) {
		refuse(im, serial, store_id, 1, r.seq, "crc", _("%s seq %u: crc %s does not "
		    "match the record's fields (changed after the pull)"), serial, r.seq,
		    crchex);
		return;
	}
	if (check_money(im, serial, store_id, &r) != 0 ||
	    check_sums(im, l, serial, store_id, &r) != 0)
		return;
	take(im, serial, store_id, &r, failed, cause);
}

/*
 * An OCMF line names no store: its signed payload holds the pile's serial
 * (GS) and seq (PG "T<seq>") only, so it is matched by content (store_id 0,
 * see sim_cloud_find).
 */
static void
import_ocmf(struct import *im, const char *line, size_t len, int *failed, char **cause)
{
	struct proto_ocmf	 o;
	const char		*bad = NULL;
	uint8_t			 der[PROTO_SIG_DER_MAX], sig[PROTO_SIG_BYTES];
	size_t			 n;

	im->records++;
	if (proto_ocmf_parse(line, len, &o, &bad) != 0) {
		refuse(im, NULL, 0, 0, 0, "format", _("not an OCMF record line ('%s' "
		    "missing or bad)"), bad != NULL ? bad : "OCMF|");
		return;
	}
	if (strlen(o.serial) > 16) {
		refuse(im, NULL, 0, 0, 0, "format", _("not an OCMF record line ('%s' "
		    "missing or bad)"), "GS");
		return;
	}
	n = strlen(o.sd_hex) / 2;
	if (strcmp(o.sa, "ECDSA-secp256r1-SHA256") != 0 || strlen(o.sd_hex) % 2 != 0 ||
	    n > sizeof der || proto_hex_decode(o.sd_hex, der, n) != 0 ||
	    proto_sig_from_der(der, n, sig) != 0) {
		refuse(im, o.serial, 0, 1, o.rec.seq, "signature", _("%s seq %u: the "
		    "signature section is not an ECDSA-secp256r1-SHA256 signature in DER "
		    "hex"), o.serial, o.rec.seq);
		return;
	}
	if (!o.canonical) {
		refuse(im, o.serial, 0, 1, o.rec.seq, "format", _("%s seq %u: the payload "
		    "is not the canonical form a pile signs (pilecon-protocol(7), OCMF "
		    "MAPPING)"), o.serial, o.rec.seq);
		return;
	}
	if (check_signature(im, o.serial, 0, &o.rec, sig, o.payload, o.payload_len) != 0 ||
	    check_money(im, o.serial, 0, &o.rec) != 0)
		return;
	take(im, o.serial, 0, &o.rec, failed, cause);
}

static int
import_file(struct import *im, FILE *f, char **cause)
{
	struct proto_export_line	*l = xcalloc(1, sizeof *l);
	char				*line = NULL, *more = NULL, *joined;
	size_t				 size = 0, msize = 0;
	ssize_t				 n;
	int				 failed = 0;

	while (!failed && (n = getline(&line, &size, f)) > 0) {
		im->lineno++;
		if (line[0] == '#' || line[0] == '\n' || (line[0] == '\r' && line[1] == '\n'))
			continue;
		if (strncmp(line, "OCMF|", 5) == 0) {
			import_ocmf(im, line, (size_t)n, &failed, cause);
			continue;
		}
		if (line[0] == '{') {
			if (proto_export_split_json(l, line) != 0) {
				im->records++;
				refuse(im, NULL, 0, 0, 0, "format", _("not a JSON object of "
				    "an export"));
			} else
				import_fields(im, l, &failed, cause);
			continue;
		}
		/* A quoted CSV field may hold a line break: join until quotes pair. */
		while (!proto_export_csv_complete(line) && getline(&more, &msize, f) > 0) {
			im->lineno++;
			joined = xasprintf("%s%s", line, more);
			free(line);
			line = joined;
			size = strlen(line) + 1;
		}
		switch (proto_export_split_csv(l, line)) {
		case -1:
			im->records++;
			refuse(im, NULL, 0, 0, 0, "format", _("too many columns"));
			break;
		case 0:
			import_fields(im, l, &failed, cause);
			break;
		}
	}
	free(line);
	free(more);
	free(l);
	if (!failed && ferror(f))
		return set_cause(cause, -1, _("cannot read '%s': %s"), im->path,
		    strerror(errno));
	return failed ? -1 : 0;
}

int
sim_ctl_cloud_import(struct sim_world *w, int argc, char **argv, FILE *out)
{
	struct import	 im;
	FILE		*f;
	char		*cause = NULL;
	size_t		 before = w->cloud.nrecs;
	int		 rc;

	if (argc < 3 || argc > 4)
		return sim_ctl_usage(out);
	memset(&im, 0, sizeof im);
	if (argc == 4 && strcmp(argv[3], "--json") != 0)
		return sim_ctl_usage(out);
	im.json = argc == 4;
	im.c = &w->cloud;
	im.path = argv[2];
	if ((f = fopen(im.path, "r")) == NULL)
		return sim_ctl_fail(out, _("cannot open '%s': %s (the running pilesim "
		    "reads it)"), im.path, strerror(errno));
	if ((im.refusals = open_memstream(&im.rbuf, &im.rlen)) == NULL) {
		fclose(f);
		return sim_ctl_fail(out, _("out of memory"));
	}
	rc = import_file(&im, f, &cause);
	fclose(f);
	fclose(im.refusals);
	proto_verifier_free(im.ver);
	/* One sync for the whole file: nothing is reported received before
	 * it is on disk. */
	if (rc == 0 && im.received > 0)
		rc = sim_cloud_sync(&w->cloud, &cause);
	if (rc != 0) {
		w->cloud.nrecs = before;	/* a restart reads back what reached the disk */
		sim_ctl_fail(out, _("cloud import of '%s' stopped: %s"), im.path, cause);
		free(cause);
		free(im.rbuf);
		return CTL_FAILED;
	}
	if (im.json) {
		fputs("{\"file\":", out);
		json_write_str(out, im.path);
		fprintf(out, ",\"records\":%" PRIu64 ",\"received\":%" PRIu64
		    ",\"duplicates\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"refusals\":[%s]}\n",
		    im.records, im.received, im.duplicates, im.refused,
		    im.rbuf != NULL ? im.rbuf : "");
	} else {
		fputs(im.rbuf != NULL ? im.rbuf : "", out);
		fprintf(out, _("cloud import '%s': %" PRIu64 " records, %" PRIu64 " received, %"
		    PRIu64 " duplicates, %" PRIu64 " refused\n"), im.path, im.records,
		    im.received, im.duplicates, im.refused);
	}
	free(im.rbuf);
	return im.refused > 0 ? CTL_FAILED : CTL_OK;
}
