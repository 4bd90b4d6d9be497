/* export.c - archive exports as CSV (RFC 4180) or JSON Lines, written
 * atomically: a temp file in the target's folder, fsync, rename, fsync. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "json.h"
#include "archive/archive.h"
#include "proto/sig.h"

/*
 * Columns, in this order (the JSONL keys are the same names):
 *   pile device_id store_id seq kind offline card_uid holder order_id start stop
 *   meter_start_wh meter_stop_wh energy_wh
 *   (store_id: the series, decimal u32: the pile's live.store_id, or the
 *   archive's number for a pile that publishes none, 0 for its first
 *   series and for records archived before schema 3 (archive.h); a pile's
 *   records are unique by pile + store_id + seq)
 *   energy_wh_{sharp,peak,flat,valley} energy_fee_{...} service_fee_{...}
 *   energy_fee_minor service_fee_minor total_fee_minor tariff_version
 *   stop_reason synced crc
 *   signature public_key (hex: r | s, and the key's DER SubjectPublicKeyInfo;
 *     empty/null for an unsigned record)
 *   energy_price_{...} service_price_{...} (1e-5 per kWh, from the tariff
 *     the archive kept for tariff_version; empty/null when unknown)
 *   seq_gap_before (sequence numbers missing before this record of the
 *     pile's series)
 *   meter_check: ok, mismatch (meter_stop - meter_start is not energy_wh),
 *     backwards (the meter starts below the previous record's stop) or jump
 *     (above it: energy metered outside any record held)
 * A CSV starts with one '#' line saying that cells beginning with '=', '+',
 * '-', '@' or an apostrophe got an apostrophe in front (spreadsheets would
 * run them as formulas: OWASP "CSV injection"); readers drop it again.
 * Every fee is an integer in minor units (1/100 of the currency); energy is
 * integer Wh; times are ISO 8601 UTC. Tokens are fixed English words, never
 * translated: an export is data for other programs.
 */
static const char *const export_periods[PROTO_PERIODS] = {
	"sharp", "peak", "flat", "valley"
};

#define EXPORT_FLUSH	65536

struct export {
	enum archive_format	 format;
	int			 fd;
	int			 header;	/* writing column names */
	int			 nfield;	/* fields so far on this line */
	int			 error;		/* errno of the failed write */
	struct out_file		*of;
	int			 count;
	int			 skipped;	/* unsigned records left out of OCMF */
	char			 prev_serial[17];	/* the previous row's pile */
	uint32_t		 prev_store_id;		/* and its series */
	uint32_t		 prev_seq, prev_meter_stop;
	char			*buf;
	size_t			 len, size;
	/* OCMF: the notes written so far (proto.h, proto_ocmf_note) */
	char			 key_serial[17];
	uint8_t			 key_pub[PROTO_PUBKEY_BYTES];
	int			 key_written;
	char			 series_serial[17];
	uint32_t		 series_store_id;
	int			 series_written;
	uint32_t		*tariffs;	/* versions written */
	size_t			 ntariffs;
};

static void
export_add(struct export *e, const char *s, size_t n)
{
	if (e->len + n + 1 > e->size) {
		while (e->len + n + 1 > e->size)
			e->size = e->size ? e->size * 2 : 4096;
		e->buf = xrealloc(e->buf, e->size);
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
}

static void
export_puts(struct export *e, const char *s)
{
	export_add(e, s, strlen(s));
}

static void
export_printf(struct export *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
export_printf(struct export *e, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	export_puts(e, s);
	free(s);
}

/* Writes what is buffered; a short write is continued, so the errno kept is
 * the one that really stopped us (ENOSPC, EFBIG, EIO...). */
static int
export_flush(struct export *e)
{
	if (e->error != 0)
		return -1;
	if (out_file_write(e->of, e->buf, e->len) != 0) {
		e->error = errno;
		return -1;
	}
	e->len = 0;
	return 0;
}

/* Appends s as valid UTF-8 for CSV (a bad byte from the pile becomes
 * U+FFFD, a quote is doubled); JSON strings go through json_quote, the one
 * emitter. */
static void
export_text(struct export *e, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 left = strlen(s), n;

	while (left > 0) {
		n = utf8_decode(p, left, NULL);
		if (n == 0) {
			export_puts(e, "\xef\xbf\xbd");
			p++, left--;
			continue;
		}
		if (*p == '"')
			export_puts(e, "\"\"");
		else
			export_add(e, (const char *)p, n);
		p += n, left -= n;
	}
}

/* A JSON string literal, escaped by the one emitter. */
static void
export_json_str(struct export *e, const char *s)
{
	char	*q = json_quote(s);

	export_puts(e, q);
	free(q);
}

/* Starts a field: separator, and the key in JSON. */
static void
export_key(struct export *e, const char *name)
{
	if (e->format == ARCHIVE_CSV) {
		if (e->nfield > 0)
			export_puts(e, ",");
	} else {
		if (e->nfield > 0)
			export_puts(e, ",");
		export_json_str(e, name);
		export_puts(e, ":");
	}
	e->nfield++;
}

/* A string field; NULL is "not applicable": empty in CSV, null in JSON. */
static void
export_str(struct export *e, const char *name, const char *v)
{
	if (e->header) {
		export_printf(e, "%s%s", e->nfield++ > 0 ? "," : "", name);
		return;
	}
	export_key(e, name);
	if (e->format == ARCHIVE_JSONL) {
		if (v == NULL)
			export_puts(e, "null");
		else
			export_json_str(e, v);
	} else if (v != NULL) {
		/* Text from the pile stays text (text_safe: no escape
		 * sequence reaches whoever reads the CSV on a terminal); a
		 * line break is data inside the quotes. */
		char	*safe = text_safe(v, TEXT_KEEP_NEWLINE);

		if (strchr("=+-@'", safe[0]) != NULL && safe[0] != '\0') {
			char *t = xasprintf("'%s", safe);	/* formula injection */

			free(safe);
			safe = t;
		}
		if (strpbrk(safe, ",\"\r\n") != NULL) {
			/* RFC 4180 §2.6-2.7: quote, and double the quotes inside. */
			export_puts(e, "\"");
			export_text(e, safe);
			export_puts(e, "\"");
		} else
			export_text(e, safe);
		free(safe);
	}
}

static void
export_uint(struct export *e, const char *name, uint64_t v)
{
	if (e->header) {
		export_str(e, name, NULL);
		return;
	}
	export_key(e, name);
	export_printf(e, "%llu", (unsigned long long)v);
}

/* An integer that may be unknown: empty in CSV, null in JSON. */
static void
export_opt(struct export *e, const char *name, int known, uint64_t v)
{
	if (known)
		export_uint(e, name, v);
	else
		export_str(e, name, NULL);
}

static void
export_bool(struct export *e, const char *name, int v)
{
	if (e->header) {
		export_str(e, name, NULL);
		return;
	}
	export_key(e, name);
	if (e->format == ARCHIVE_JSONL)
		export_puts(e, v ? "true" : "false");
	else
		export_puts(e, v ? "1" : "0");
}

static void
export_time(struct export *e, const char *name, uint32_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;
	char		buf[32];

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof buf, "%lu", (unsigned long)t);
	export_str(e, name, buf);
}

static const char *
export_kind(unsigned kind)
{
	switch (kind) {
	case PROTO_REC_OFFLINE_CARD:	return "offline_card";
	case PROTO_REC_ONLINE_CARD:	return "online_card";
	case PROTO_REC_APP_ORDER:	return "app_order";
	}
	return "unknown";
}

static const char *
export_stop(unsigned reason)
{
	switch (reason) {
	case PROTO_STOP_UNPLUGGED:	return "unplugged";
	case PROTO_STOP_CARD:		return "card";
	case PROTO_STOP_REMOTE:		return "remote";
	case PROTO_STOP_ENERGY_LIMIT:	return "energy_limit";
	case PROTO_STOP_POWER_LOSS:	return "power_loss";
	case PROTO_STOP_FAULT:		return "fault";
	}
	return "unknown";
}

static void
export_hex(char *out, const uint8_t *b, size_t n)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* What protocol 1.1 and the checks add to a line (see the column list). */
static void
export_signed(struct export *e, const struct archive_row *row)
{
	char		 sig[2 * PROTO_SIG_BYTES + 1], key[2 * PROTO_SPKI_BYTES + 1];
	char		 name[32];
	uint8_t		 spki[PROTO_SPKI_BYTES];
	const char	*check = "ok";
	uint32_t	 gap = 0;
	int		 i, signd = row != NULL && row->has_sig;
	int		 tariff = row != NULL && row->has_tariff;

	if (signd) {
		export_hex(sig, row->sig, PROTO_SIG_BYTES);
		proto_pubkey_spki(row->pubkey, spki);
		export_hex(key, spki, sizeof spki);
	}
	export_str(e, "signature", signd ? sig : NULL);
	export_str(e, "public_key", signd ? key : NULL);
	for (i = 0; i < PROTO_PERIODS; i++) {
		snprintf(name, sizeof name, "energy_price_%s", export_periods[i]);
		export_opt(e, name, tariff, tariff ? row->tariff.energy_price[i] : 0);
	}
	for (i = 0; i < PROTO_PERIODS; i++) {
		snprintf(name, sizeof name, "service_price_%s", export_periods[i]);
		export_opt(e, name, tariff, tariff ? row->tariff.service_price[i] : 0);
	}
	if (row != NULL) {
		const struct proto_record *r = &row->rec;

		if (r->meter_stop_wh < r->meter_start_wh ||
		    r->meter_stop_wh - r->meter_start_wh != proto_record_energy_wh(r))
			check = "mismatch";
		if (strcmp(e->prev_serial, row->serial) == 0 &&
		    e->prev_store_id == row->store_id) {
			gap = r->seq - e->prev_seq - 1;
			if (strcmp(check, "ok") == 0 && r->meter_start_wh < e->prev_meter_stop)
				check = "backwards";
			else if (strcmp(check, "ok") == 0 && r->meter_start_wh > e->prev_meter_stop)
				check = "jump";
		}
		snprintf(e->prev_serial, sizeof e->prev_serial, "%s", row->serial);
		e->prev_store_id = row->store_id;
		e->prev_seq = r->seq;
		e->prev_meter_stop = r->meter_stop_wh;
	}
	export_uint(e, "seq_gap_before", gap);
	export_str(e, "meter_check", check);
}

/* One line: the header when e->header is set (same calls, so the column
 * names and values cannot drift apart). */
static void
export_line(struct export *e, const struct archive_row *row)
{
	static const struct proto_record	 none;
	const struct proto_record		*r = row != NULL ? &row->rec : &none;
	int					 card, order, i;
	uint64_t				 efee = 0, sfee = 0;
	char					 name[32], crc[16];

	card = r->kind == PROTO_REC_OFFLINE_CARD || r->kind == PROTO_REC_ONLINE_CARD;
	order = r->kind == PROTO_REC_APP_ORDER;
	e->nfield = 0;
	if (e->format == ARCHIVE_JSONL)
		export_puts(e, "{");
	export_str(e, "pile", row != NULL ? row->serial : NULL);
	export_str(e, "device_id", row != NULL ? row->device_id : NULL);
	export_uint(e, "store_id", row != NULL ? row->store_id : 0);
	export_uint(e, "seq", r->seq);
	export_str(e, "kind", export_kind(r->kind));
	export_bool(e, "offline", (r->flags & PROTO_REC_F_OFFLINE) != 0);
	export_str(e, "card_uid", card ? r->tag : NULL);
	export_str(e, "holder", r->holder);
	export_str(e, "order_id", order ? r->tag : NULL);
	export_time(e, "start", r->start);
	export_time(e, "stop", r->stop);
	export_uint(e, "meter_start_wh", r->meter_start_wh);
	export_uint(e, "meter_stop_wh", r->meter_stop_wh);
	export_uint(e, "energy_wh", proto_record_energy_wh(r));
	for (i = 0; i < PROTO_PERIODS; i++) {
		snprintf(name, sizeof name, "energy_wh_%s", export_periods[i]);
		export_uint(e, name, r->energy_wh[i]);
	}
	for (i = 0; i < PROTO_PERIODS; i++) {
		snprintf(name, sizeof name, "energy_fee_%s", export_periods[i]);
		export_uint(e, name, r->energy_fee_minor[i]);
		efee += r->energy_fee_minor[i];
	}
	for (i = 0; i < PROTO_PERIODS; i++) {
		snprintf(name, sizeof name, "service_fee_%s", export_periods[i]);
		export_uint(e, name, r->service_fee_minor[i]);
		sfee += r->service_fee_minor[i];
	}
	/* Sums in 64 bits: four u32 parts cannot overflow them. */
	export_uint(e, "energy_fee_minor", efee);
	export_uint(e, "service_fee_minor", sfee);
	export_uint(e, "total_fee_minor", efee + sfee);
	export_uint(e, "tariff_version", r->tariff_version);
	export_str(e, "stop_reason", export_stop(r->stop_reason));
	export_bool(e, "synced", (r->flags & PROTO_REC_F_SYNCED) != 0);
	snprintf(crc, sizeof crc, "%08lx", (unsigned long)r->crc);
	export_str(e, "crc", crc);
	export_signed(e, row);
	export_puts(e, e->format == ARCHIVE_JSONL && !e->header ? "}\n" : "\n");
}

/*
 * One OCMF line: OCMF|{payload}|{signature section}. The payload is the
 * canonical text the pile signed, byte for byte; SD is the signature as
 * DER (ASN.1 SEQUENCE of r and s) in hex, OCMF's default encoding (SE hex,
 * SM application/x-der, both left implicit), so an OCMF verifier takes it
 * as it stands. An unsigned record has no OCMF form: 0, and counted.
 */
/* The '# ...' notes a verifier needs before this record (proto.h,
 * proto_ocmf_note): the pile's key and store when they change, the prices
 * of a tariff version the first time it is used. */
static void
export_ocmf_notes(struct export *e, const struct archive_row *row)
{
	char		 key[2 * PROTO_SPKI_BYTES + 1], *q;
	uint8_t		 spki[PROTO_SPKI_BYTES];
	const uint32_t	*p;
	size_t		 i;
	int		 k;

	if (!e->key_written || strcmp(e->key_serial, row->serial) != 0 ||
	    memcmp(e->key_pub, row->pubkey, sizeof e->key_pub) != 0) {
		proto_pubkey_spki(row->pubkey, spki);
		export_hex(key, spki, sizeof spki);
		q = json_quote(row->serial);
		export_printf(e, "# public_key %s %s\n", q, key);
		free(q);
		snprintf(e->key_serial, sizeof e->key_serial, "%s", row->serial);
		memcpy(e->key_pub, row->pubkey, sizeof e->key_pub);
		e->key_written = 1;
	}
	if (!e->series_written || strcmp(e->series_serial, row->serial) != 0 ||
	    e->series_store_id != row->store_id) {
		q = json_quote(row->serial);
		export_printf(e, "# series %s %lu\n", q, (unsigned long)row->store_id);
		free(q);
		snprintf(e->series_serial, sizeof e->series_serial, "%s", row->serial);
		e->series_store_id = row->store_id;
		e->series_written = 1;
	}
	if (!row->has_tariff)
		return;
	for (i = 0; i < e->ntariffs; i++)
		if (e->tariffs[i] == row->tariff.version)
			return;
	e->tariffs = xrealloc(e->tariffs, (e->ntariffs + 1) * sizeof *e->tariffs);
	e->tariffs[e->ntariffs++] = row->tariff.version;
	export_printf(e, "# tariff %lu", (unsigned long)row->tariff.version);
	for (k = 0; k < 2; k++) {
		p = k == 0 ? row->tariff.energy_price : row->tariff.service_price;
		export_printf(e, " %lu,%lu,%lu,%lu", (unsigned long)p[0], (unsigned long)p[1],
		    (unsigned long)p[2], (unsigned long)p[3]);
	}
	export_puts(e, "\n");
}

static int
export_ocmf(struct export *e, const struct archive_row *row)
{
	char		payload[PROTO_OCMF_PAYLOAD_MAX], sd[2 * PROTO_SIG_DER_MAX + 1], *q;
	uint8_t		der[PROTO_SIG_DER_MAX];
	size_t		n;
	int		i;

	if (!row->has_sig || (n = proto_sig_der(row->sig, der)) == 0) {
		e->skipped++;
		return 0;
	}
	export_hex(sd, der, n);
	for (i = 0; sd[i] != '\0'; i++)
		if (sd[i] >= 'a' && sd[i] <= 'f')
			sd[i] -= 'a' - 'A';
	n = proto_ocmf_payload(&row->rec, row->serial, payload, sizeof payload);
	if (n >= sizeof payload)
		return 0;
	export_ocmf_notes(e, row);
	export_puts(e, "OCMF|");
	export_add(e, payload, n);
	q = json_quote(sd);
	export_printf(e, "|{\"SA\":\"ECDSA-secp256r1-SHA256\",\"SD\":%s}\n", q);
	free(q);
	return 1;
}

static int
export_row(const struct archive_row *row, void *arg)
{
	struct export	*e = arg;

	if (e->format == ARCHIVE_OCMF) {
		if (!export_ocmf(e, row))
			return 0;
	} else
		export_line(e, row);
	e->count++;
	if (e->len >= EXPORT_FLUSH && export_flush(e) != 0)
		return -1;
	return 0;
}

static int
export_write(struct archive *a, const char *serial, struct export *e, char **cause)
{
	int	rc;

	if (e->format == ARCHIVE_CSV) {
		export_puts(e, "# pilecon records export: cells that began with =, +, -, @ or ' "
		    "carry a leading ' (spreadsheet formula injection); drop it when reading\n");
		e->header = 1;
		export_line(e, NULL);
		e->header = 0;
	} else if (e->format == ARCHIVE_OCMF)
		export_puts(e, "# pilecon OCMF export: one OCMF|payload|signature line per signed "
		    "record; the '# public_key', '# series' and '# tariff' lines give each "
		    "pile's key, store and prices (pilecon-protocol(7), OCMF MAPPING)\n");
	rc = archive_foreach(a, serial, export_row, e, cause);
	if (rc == 0)
		rc = export_flush(e);
	else if (e->error == 0)
		return -2;	/* the archive failed; cause is set */
	return rc;
}

int
archive_export_fd(struct archive *a, const char *serial, enum archive_format format,
    int fd, char **cause)
{
	struct export	 e;
	struct out_file	 of;
	int		 rc;

	memset(&e, 0, sizeof e);
	memset(&of, 0, sizeof of);
	of.fd = fd;
	of.in_place = 1;
	e.format = format;
	e.of = &of;
	e.fd = fd;
	rc = export_write(a, serial, &e, cause);
	free(e.buf);
	free(e.tariffs);
	if (rc == -2)
		return -1;
	if (rc != 0)
		return set_cause(cause, -1, _("cannot write the export: %s"),
		    out_file_strerror(e.error));
	return e.count;
}

int
archive_export(struct archive *a, const char *serial, enum archive_format format,
    const char *path, char **cause)
{
	struct export	 e;
	struct out_file	 of;
	int		 rc;

	memset(&e, 0, sizeof e);
	e.format = format;
	if ((rc = out_file_open(&of, path == NULL ? "-" : path, cause)) != 0)
		return rc;
	e.of = &of;
	e.fd = of.fd;
	rc = export_write(a, serial, &e, cause);
	free(e.buf);
	free(e.tariffs);
	if (rc == -2) {			/* the archive failed; cause is set */
		out_file_abort(&of);
		return -1;
	}
	if (rc != 0) {
		if (of.is_stdout)
			set_cause(cause, -1, _("cannot write the export to standard output: %s"),
			    out_file_strerror(e.error));
		else if (of.in_place)
			set_cause(cause, -1, _("cannot write export '%s': %s"), path,
			    out_file_strerror(e.error));
		else
			set_cause(cause, -1, _("cannot write export '%s': %s; the previous file, "
			    "if any, is unchanged"), path, out_file_strerror(e.error));
		out_file_abort(&of);
		return -1;
	}
	if (out_file_commit(&of, cause) != 0)
		return -1;
	return e.count;
}
