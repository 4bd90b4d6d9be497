/* ocmf.c - a charging record's canonical OCMF payload: the exact text a 1.1
 * pile signs and any verifier rebuilds byte for byte from the record and the
 * pile's serial (pilecon-protocol(7), OCMF MAPPING). No I/O. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto.h"

/* The OCMF data section, keys in this order, no whitespace (OCMF 1.x, SAFE
 * e.V.: FV, GI, GS, PG, MS, IS, IL, IT, ID, RD with TM/TX/RV/RI/RU/RT/ST;
 * X* are vendor keys, reserved by OCMF for manufacturer data). */

struct ocmf_buf {
	char	*p;
	size_t	 size, len;
};

static void
ob_add(struct ocmf_buf *b, const char *s, size_t n)
{
	if (b->len + n < b->size) {
		memcpy(b->p + b->len, s, n);
		b->p[b->len + n] = '\0';
	}
	b->len += n;
}

static void
ob_str(struct ocmf_buf *b, const char *s)
{
	ob_add(b, s, strlen(s));
}

static void
ob_fmt_u32(struct ocmf_buf *b, uint32_t v)
{
	char	tmp[16];

	snprintf(tmp, sizeof tmp, "%u", (unsigned)v);
	ob_str(b, tmp);
}

/* A JSON string: '"' and '\' escaped, bytes below 0x20 as \u00XX, every
 * other byte as it is (UTF-8 stays UTF-8). Not json_write_str (src/json.c),
 * the emitter of our output: it writes \n, \t... short, escapes DEL and
 * turns a byte that is not UTF-8 into U+FFFD, while piles sign these bytes
 * as pilecon-protocol(7) defines them (tests/unit-proto-ocmf pins them). */
static void
ob_json(struct ocmf_buf *b, const char *s)
{
	char	esc[8];

	ob_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			ob_add(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			ob_add(b, esc, 6);
		} else
			ob_add(b, (const char *)&c, 1);
	}
	ob_add(b, "\"", 1);
}

/* Wh as kWh with exactly three decimals: 1234567 -> 1234.567. */
static void
ob_kwh(struct ocmf_buf *b, uint32_t wh)
{
	char	tmp[24];

	snprintf(tmp, sizeof tmp, "%u.%03u", (unsigned)(wh / 1000), (unsigned)(wh % 1000));
	ob_str(b, tmp);
}

static void
ob_u32v(struct ocmf_buf *b, const uint32_t *v, int n)
{
	int	i;

	ob_add(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			ob_add(b, ",", 1);
		ob_fmt_u32(b, v[i]);
	}
	ob_add(b, "]", 1);
}

size_t
proto_ocmf_time(uint32_t t, char out[PROTO_OCMF_TIME_MAX])
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	return strftime(out, PROTO_OCMF_TIME_MAX, "%Y-%m-%dT%H:%M:%S,000+0000 I", &tm);
}

const char *
proto_ocmf_stop_tx(unsigned stop_reason)
{
	switch (stop_reason) {
	case PROTO_STOP_REMOTE:
		return "R";
	case PROTO_STOP_POWER_LOSS:
		return "P";
	case PROTO_STOP_FAULT:
		return "A";
	case PROTO_STOP_UNPLUGGED:
	case PROTO_STOP_CARD:
		return "L";
	default:
		return "E";
	}
}

size_t
proto_ocmf_payload(const struct proto_record *rec, const char *serial,
    char *out, size_t size)
{
	struct ocmf_buf	b = { out, size, 0 };
	char		tm[PROTO_OCMF_TIME_MAX];
	int		app = rec->kind == PROTO_REC_APP_ORDER;

	if (size > 0)
		out[0] = '\0';
	ob_str(&b, "{\"FV\":\"1.0\",\"GI\":\"pilecon\",\"GS\":");
	ob_json(&b, serial);
	ob_str(&b, ",\"PG\":\"T");
	ob_fmt_u32(&b, rec->seq);
	ob_str(&b, "\",\"MS\":");
	ob_json(&b, serial);
	ob_str(&b, ",\"IS\":true,\"IL\":");
	ob_str(&b, app ? "\"TRUSTED\"" : "\"HEARSAY\"");
	ob_str(&b, ",\"IT\":");
	ob_str(&b, app ? "\"CENTRAL\"" : "\"ISO14443\"");
	ob_str(&b, ",\"ID\":");
	ob_json(&b, rec->tag);

	ob_str(&b, ",\"RD\":[{\"TM\":\"");
	proto_ocmf_time(rec->start, tm);
	ob_str(&b, tm);
	ob_str(&b, "\",\"TX\":\"B\",\"RV\":");
	ob_kwh(&b, rec->meter_start_wh);
	ob_str(&b, ",\"RI\":\"1-b:1.8.0\",\"RU\":\"kWh\",\"RT\":\"AC\",\"ST\":\"G\"},{\"TM\":\"");
	proto_ocmf_time(rec->stop, tm);
	ob_str(&b, tm);
	ob_str(&b, "\",\"TX\":\"");
	ob_str(&b, proto_ocmf_stop_tx(rec->stop_reason));
	ob_str(&b, "\",\"RV\":");
	ob_kwh(&b, rec->meter_stop_wh);
	ob_str(&b, "}]");

	ob_str(&b, ",\"XK\":");
	ob_fmt_u32(&b, rec->kind);
	ob_str(&b, ",\"XO\":");
	ob_fmt_u32(&b, (rec->flags & PROTO_REC_F_OFFLINE) ? 1 : 0);
	ob_str(&b, ",\"XR\":");
	ob_fmt_u32(&b, rec->stop_reason);
	ob_str(&b, ",\"XT\":");
	ob_fmt_u32(&b, rec->tariff_version);
	ob_str(&b, ",\"XE\":");
	ob_u32v(&b, rec->energy_wh, PROTO_PERIODS);
	ob_str(&b, ",\"XF\":");
	ob_u32v(&b, rec->energy_fee_minor, PROTO_PERIODS);
	ob_str(&b, ",\"XS\":");
	ob_u32v(&b, rec->service_fee_minor, PROTO_PERIODS);
	ob_str(&b, ",\"XH\":");
	ob_json(&b, rec->holder);
	ob_str(&b, "}");
	return b.len;
}
