/* ocmf-parse.c - one OCMF line of `pilecon logs export --format ocmf` read
 * back: the record rebuilt from its payload, and whether that payload is
 * byte for byte the canonical one a pile signs (ocmf.c). What `logs verify`
 * and pilesim's cloud import read. No I/O; input from anyone, so every
 * length is bounded and nothing is read past len. */
#include "config.h"

#include <string.h>

#include "proto.h"

/* Nesting of values under a key we skip (OCMF has two levels). */
#define OCMF_DEPTH_MAX	16

struct ocmf_in {
	const char	*p, *end;
};

static void
skip_ws(struct ocmf_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\r' ||
	    *in->p == '\n'))
		in->p++;
}

/* The next byte after white space is c: consumed, 0; else -1. */
static int
expect(struct ocmf_in *in, char c)
{
	skip_ws(in);
	if (in->p >= in->end || *in->p != c)
		return -1;
	in->p++;
	return 0;
}

static int
peek(struct ocmf_in *in)
{
	skip_ws(in);
	return in->p < in->end ? (unsigned char)*in->p : -1;
}

/* Code point c (<= 0x10ffff) as UTF-8 in u; its length. */
static size_t
utf8_put(unsigned c, char u[4])
{
	if (c < 0x80) {
		u[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | c >> 18);
	u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	u[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * A JSON string (RFC 8259 §7) into out (size bytes with the NUL); out may be
 * NULL to skip it. -1 when it is not a string or does not end; -2 (the
 * string read to its end all the same) when it holds more than size - 1
 * bytes or a NUL, which a record's text cannot. Bytes above 0x7f are kept
 * as they are: the canonical payload does the same.
 */
static int
get_str(struct ocmf_in *in, char *out, size_t size)
{
	size_t		n = 0, k;
	unsigned	c, lo;
	char		u[4];
	int		rc = 0;

	if (expect(in, '"') != 0)
		return -1;
	for (;;) {
		if (in->p >= in->end)
			return -1;
		c = (unsigned char)*in->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return -1;	/* JSON has no raw control bytes */
		if (c != '\\') {
			u[0] = (char)c;
			k = 1;
		} else {
			if (in->p >= in->end)
				return -1;
			switch (*in->p++) {
			case '"':  c = '"'; break;
			case '\\': c = '\\'; break;
			case '/':  c = '/'; break;
			case 'b':  c = '\b'; break;
			case 'f':  c = '\f'; break;
			case 'n':  c = '\n'; break;
			case 'r':  c = '\r'; break;
			case 't':  c = '\t'; break;
			case 'u':
				if (in->end - in->p < 4 || proto_hex4(in->p, &c) != 0)
					return -1;
				in->p += 4;
				if (c >= 0xdc00 && c <= 0xdfff)
					return -1;	/* a lone low surrogate */
				if (c >= 0xd800 && c <= 0xdbff) {
					if (in->end - in->p < 6 || in->p[0] != '\\' ||
					    in->p[1] != 'u' || proto_hex4(in->p + 2, &lo) != 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return -1;
					in->p += 6;
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				}
				break;
			default:
				return -1;
			}
			if (c == 0)
				rc = -2;
			k = utf8_put(c, u);
		}
		if (out != NULL && rc == 0) {
			if (n + k >= size)
				rc = -2;
			else
				memcpy(out + n, u, k);
		}
		n += k;
	}
	if (out != NULL && rc == 0)
		out[n] = '\0';
	return rc;
}

/* Decimal digits as JSON writes an integer (no sign, no leading zero)
 * that fits 32 bits; what follows is the caller's. */
static int
get_digits(struct ocmf_in *in, uint32_t *out)
{
	const char	*start;
	uint64_t	 v = 0;

	skip_ws(in);
	start = in->p;
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		v = v * 10 + (uint64_t)(*in->p++ - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (in->p == start || (*start == '0' && in->p - start > 1))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A number with no fraction or exponent may follow. */
static int
number_ends(const struct ocmf_in *in)
{
	return in->p >= in->end || (*in->p != '.' && *in->p != 'e' && *in->p != 'E');
}

static int
get_u32(struct ocmf_in *in, uint32_t *out)
{
	return get_digits(in, out) == 0 && number_ends(in) ? 0 : -1;
}

/* A reading in kWh with at most three decimals, as Wh. */
static int
get_kwh(struct ocmf_in *in, uint32_t *wh)
{
	uint32_t	kwh, frac = 0;
	uint64_t	v;
	int		places = 0;

	if (get_digits(in, &kwh) != 0)
		return -1;
	if (in->p < in->end && *in->p == '.') {
		const char	*first = ++in->p;

		for (; in->p < in->end && *in->p >= '0' && *in->p <= '9'; in->p++) {
			if (places == 3) {
				if (*in->p != '0')
					return -1;	/* finer than a Wh */
				continue;
			}
			frac = frac * 10 + (uint32_t)(*in->p - '0');
			places++;
		}
		if (in->p == first)
			return -1;
	}
	if (!number_ends(in))
		return -1;
	for (; places < 3; places++)
		frac *= 10;
	v = (uint64_t)kwh * 1000 + frac;
	if (v > UINT32_MAX)
		return -1;
	*wh = (uint32_t)v;
	return 0;
}

/* [a,b,c,d]: one u32 per period. */
static int
get_periods(struct ocmf_in *in, uint32_t v[PROTO_PERIODS])
{
	int	i;

	if (expect(in, '[') != 0)
		return -1;
	for (i = 0; i < PROTO_PERIODS; i++)
		if ((i > 0 && expect(in, ',') != 0) || get_u32(in, &v[i]) != 0)
			return -1;
	return expect(in, ']');
}

/* Any JSON value, skipped (keys the record does not need). */
static int
skip_value(struct ocmf_in *in, int depth)
{
	int	c = peek(in), first;

	if (depth > OCMF_DEPTH_MAX)
		return -1;
	if (c == '"')
		return get_str(in, NULL, 0) == 0 ? 0 : -1;
	if (c == '{' || c == '[') {
		in->p++;
		for (first = 1;; first = 0) {
			if (peek(in) == (c == '{' ? '}' : ']')) {
				in->p++;
				return 0;
			}
			if (!first && expect(in, ',') != 0)
				return -1;
			if (c == '{' && (get_str(in, NULL, 0) != 0 || expect(in, ':') != 0))
				return -1;
			if (skip_value(in, depth + 1) != 0)
				return -1;
		}
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		in->p++;
		while (in->p < in->end && strchr("0123456789.eE+-", *in->p) != NULL &&
		    *in->p != '\0')
			in->p++;
		return 0;
	}
	if (in->end - in->p >= 4 && (memcmp(in->p, "true", 4) == 0 ||
	    memcmp(in->p, "null", 4) == 0)) {
		in->p += 4;
		return 0;
	}
	if (in->end - in->p >= 5 && memcmp(in->p, "false", 5) == 0) {
		in->p += 5;
		return 0;
	}
	return -1;
}

static int
digits(const char *s, int n, unsigned *out)
{
	unsigned	v = 0;
	int		i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no time zone or libc table is involved. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* OCMF's TM: "2026-12-04T10:00:00,000+0000 I" (the clock state optional),
 * as unix seconds. */
static int
parse_tm(const char *s, uint32_t *out)
{
	static const unsigned	mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned		y, mo, d, h, mi, sec, ms, oh, om;
	int64_t			t;
	size_t			n = strlen(s);

	if (n < 28 || digits(s, 4, &y) != 0 || s[4] != '-' || digits(s + 5, 2, &mo) != 0 ||
	    s[7] != '-' || digits(s + 8, 2, &d) != 0 || s[10] != 'T' ||
	    digits(s + 11, 2, &h) != 0 || s[13] != ':' || digits(s + 14, 2, &mi) != 0 ||
	    s[16] != ':' || digits(s + 17, 2, &sec) != 0 || s[19] != ',' ||
	    digits(s + 20, 3, &ms) != 0 || (s[23] != '+' && s[23] != '-') ||
	    digits(s + 24, 2, &oh) != 0 || digits(s + 26, 2, &om) != 0)
		return -1;
	if (n != 28 && !(n == 30 && s[28] == ' ' && s[29] >= 'A' && s[29] <= 'Z'))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    sec > 59 || oh > 23 || om > 59)
		return -1;
	if (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t += (s[23] == '+' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	if (t < 0 || t > (int64_t)UINT32_MAX)
		return -1;
	*out = (uint32_t)t;
	return 0;
}

/*
 * The next member of an object whose '{' is read: 1 with its name in key
 * (*krc is get_str's answer: 0, or -2 when the name is too long for key,
 * which the callers skip as a key they do not know), 0 after the closing
 * '}', -1 when the object is malformed.
 */
static int
next_member(struct ocmf_in *in, int *first, char *key, size_t size, int *krc)
{
	if (peek(in) == '}') {
		in->p++;
		return 0;
	}
	if (!*first && expect(in, ',') != 0)
		return -1;
	*first = 0;
	*krc = get_str(in, key, size);
	if (*krc == -1 || expect(in, ':') != 0)
		return -1;
	return 1;
}

/* {"TM":...,"TX":...,"RV":...,...}: the time and the reading in Wh. */
static int
get_reading(struct ocmf_in *in, uint32_t *t, uint32_t *wh, const char **bad)
{
	char	key[8], tm[PROTO_OCMF_TIME_MAX];
	int	have_tm = 0, have_rv = 0, first, rc, m;

	*bad = "RD";
	if (expect(in, '{') != 0)
		return -1;
	for (first = 1; (m = next_member(in, &first, key, sizeof key, &rc)) > 0;) {
		if (rc == 0 && strcmp(key, "TM") == 0) {
			*bad = "TM";
			if (have_tm++ || get_str(in, tm, sizeof tm) != 0 || parse_tm(tm, t) != 0)
				return -1;
		} else if (rc == 0 && strcmp(key, "RV") == 0) {
			*bad = "RV";
			if (have_rv++ || get_kwh(in, wh) != 0)
				return -1;
		} else if (skip_value(in, 1) != 0)
			return -1;
		*bad = "RD";
	}
	if (m < 0)
		return -1;
	if (!have_tm) {
		*bad = "TM";
		return -1;
	}
	if (!have_rv) {
		*bad = "RV";
		return -1;
	}
	return 0;
}

/* "RD":[begin, end]: the two readings a record makes. */
static int
get_readings(struct ocmf_in *in, struct proto_record *r, const char **bad)
{
	if (expect(in, '[') != 0 ||
	    get_reading(in, &r->start, &r->meter_start_wh, bad) != 0)
		return -1;
	*bad = "RD";
	if (expect(in, ',') != 0 ||
	    get_reading(in, &r->stop, &r->meter_stop_wh, bad) != 0)
		return -1;
	*bad = "RD";
	return expect(in, ']');
}

/* The data section's keys a record is rebuilt from, in the order the
 * canonical payload has them; each must be there exactly once. */
enum { K_GS, K_PG, K_ID, K_RD, K_XK, K_XO, K_XR, K_XT, K_XE, K_XF, K_XS, K_XH, K_N };
static const char *const ocmf_keys[K_N] = {
	"GS", "PG", "ID", "RD", "XK", "XO", "XR", "XT", "XE", "XF", "XS", "XH"
};

static int
get_field(struct ocmf_in *in, int k, struct proto_ocmf *o, const char **bad)
{
	struct proto_record	*r = &o->rec;
	char			 pg[16];
	uint32_t		 v;
	size_t			 i;

	switch (k) {
	case K_GS:
		return get_str(in, o->serial, sizeof o->serial) == 0 && o->serial[0] != '\0' ?
		    0 : -1;
	case K_PG:
		/* "T" and the seq: OCMF's pagination of transaction data. */
		if (get_str(in, pg, sizeof pg) != 0 || pg[0] != 'T' || pg[1] == '\0' ||
		    (pg[1] == '0' && pg[2] != '\0'))
			return -1;
		for (v = 0, i = 1; pg[i] != '\0'; i++) {
			if (pg[i] < '0' || pg[i] > '9' ||
			    (uint64_t)v * 10 + (uint64_t)(pg[i] - '0') > UINT32_MAX)
				return -1;
			v = v * 10 + (uint32_t)(pg[i] - '0');
		}
		r->seq = v;
		return 0;
	case K_ID:
		return get_str(in, r->tag, sizeof r->tag);
	case K_RD:
		return get_readings(in, r, bad);
	case K_XK:
		if (get_u32(in, &v) != 0 || v < PROTO_REC_OFFLINE_CARD || v > PROTO_REC_APP_ORDER)
			return -1;
		r->kind = (uint8_t)v;
		return 0;
	case K_XO:
		if (get_u32(in, &v) != 0 || v > 1)
			return -1;
		r->flags = v ? PROTO_REC_F_OFFLINE : 0;
		return 0;
	case K_XR:
		if (get_u32(in, &v) != 0 || v > 255)
			return -1;
		r->stop_reason = (uint8_t)v;
		return 0;
	case K_XT:
		return get_u32(in, &r->tariff_version);
	case K_XE:
		return get_periods(in, r->energy_wh);
	case K_XF:
		return get_periods(in, r->energy_fee_minor);
	case K_XS:
		return get_periods(in, r->service_fee_minor);
	case K_XH:
		return get_str(in, r->holder, sizeof r->holder);
	}
	return -1;
}

/* The data section: an object, its record keys read, the others skipped. */
static int
get_payload(struct ocmf_in *in, struct proto_ocmf *o, const char **bad)
{
	char	key[8];
	int	seen[K_N], k, first, rc, m;

	memset(seen, 0, sizeof seen);
	*bad = "payload";
	if (expect(in, '{') != 0)
		return -1;
	for (first = 1; (m = next_member(in, &first, key, sizeof key, &rc)) > 0;) {
		for (k = 0; rc == 0 && k < K_N && strcmp(key, ocmf_keys[k]) != 0; k++)
			;
		if (rc != 0 || k == K_N) {
			if (skip_value(in, 1) != 0)
				return -1;
			continue;
		}
		*bad = ocmf_keys[k];
		if (seen[k]++ || get_field(in, k, o, bad) != 0)
			return -1;
		*bad = "payload";
	}
	if (m < 0)
		return -1;
	for (k = 0; k < K_N; k++)
		if (!seen[k]) {
			*bad = ocmf_keys[k];
			return -1;
		}
	return 0;
}

/* The signature section: SA and SD; SE and SM, when there, must be OCMF's
 * defaults (hex, application/x-der), the only encoding read. */
static int
get_signature(struct ocmf_in *in, struct proto_ocmf *o, const char **bad)
{
	char	key[8], val[32];
	int	have_sa = 0, have_sd = 0, first, rc, m;

	*bad = "signature";
	if (expect(in, '{') != 0)
		return -1;
	for (first = 1; (m = next_member(in, &first, key, sizeof key, &rc)) > 0;) {
		if (rc == 0 && strcmp(key, "SA") == 0) {
			*bad = "SA";
			if (have_sa++ || get_str(in, o->sa, sizeof o->sa) != 0)
				return -1;
		} else if (rc == 0 && strcmp(key, "SD") == 0) {
			*bad = "SD";
			if (have_sd++ || get_str(in, o->sd_hex, sizeof o->sd_hex) != 0 ||
			    o->sd_hex[0] == '\0')
				return -1;
		} else if (rc == 0 && strcmp(key, "SE") == 0) {
			*bad = "SE";
			if (get_str(in, val, sizeof val) != 0 || strcmp(val, "hex") != 0)
				return -1;
		} else if (rc == 0 && strcmp(key, "SM") == 0) {
			*bad = "SM";
			if (get_str(in, val, sizeof val) != 0 ||
			    strcmp(val, "application/x-der") != 0)
				return -1;
		} else if (skip_value(in, 1) != 0)
			return -1;
		*bad = "signature";
	}
	if (m < 0)
		return -1;
	if (!have_sa) {
		*bad = "SA";
		return -1;
	}
	if (!have_sd) {
		*bad = "SD";
		return -1;
	}
	return 0;
}

int
proto_ocmf_parse(const char *line, size_t len, struct proto_ocmf *o, const char **bad)
{
	struct ocmf_in	 in = { line, line + len };
	char		 canon[PROTO_OCMF_PAYLOAD_MAX];
	uint8_t		 wire[PROTO_RECORD_BYTES];
	const char	*why = NULL;
	size_t		 n;

	memset(o, 0, sizeof *o);
	if (len < 5 || memcmp(line, "OCMF|", 5) != 0) {
		why = "OCMF|";
		goto fail;
	}
	in.p += 5;
	o->payload = in.p;
	if (get_payload(&in, o, &why) != 0)
		goto fail;
	o->payload_len = (size_t)(in.p - o->payload);
	if (in.p >= in.end || *in.p++ != '|') {
		why = "|";
		goto fail;
	}
	if (get_signature(&in, o, &why) != 0)
		goto fail;
	skip_ws(&in);
	if (in.p != in.end) {
		why = "end of line";
		goto fail;
	}
	proto_record_encode(&o->rec, wire);	/* sets its CRC, as the pile's */
	n = proto_ocmf_payload(&o->rec, o->serial, canon, sizeof canon);
	o->canonical = n == o->payload_len && memcmp(canon, o->payload, n) == 0;
	return 0;

fail:
	if (bad != NULL)
		*bad = why;
	return -1;
}

/* "a,b,c,d" */
static int
get_price_list(struct ocmf_in *in, uint32_t v[PROTO_PERIODS])
{
	int	i;

	skip_ws(in);
	for (i = 0; i < PROTO_PERIODS; i++)
		if ((i > 0 && (in->p >= in->end || *in->p++ != ',')) ||
		    get_digits(in, &v[i]) != 0)
			return -1;
	return 0;
}

/* A blank, then a token of [0-9a-fA-F]: into out (size with the NUL). */
static int
get_hex_token(struct ocmf_in *in, char *out, size_t size)
{
	size_t	n = 0;

	skip_ws(in);
	while (in->p < in->end && strchr("0123456789abcdefABCDEF", *in->p) != NULL &&
	    *in->p != '\0') {
		if (n + 1 >= size)
			return -1;
		out[n++] = *in->p++;
	}
	out[n] = '\0';
	return n > 0 && n % 2 == 0 ? 0 : -1;
}

static int
starts(struct ocmf_in *in, const char *word)
{
	size_t	n = strlen(word);

	if ((size_t)(in->end - in->p) < n + 1 || memcmp(in->p, word, n) != 0 ||
	    in->p[n] != ' ')
		return 0;
	in->p += n;
	return 1;
}

int
proto_ocmf_note(const char *line, size_t len, struct proto_ocmf_note *n,
    const char **bad)
{
	struct ocmf_in	 in = { line, line + len };
	const char	*why = NULL;

	memset(n, 0, sizeof *n);
	if (len < 2 || line[0] != '#' || line[1] != ' ')
		return 0;
	in.p += 2;
	if (starts(&in, "public_key"))
		n->kind = PROTO_NOTE_KEY;
	else if (starts(&in, "series"))
		n->kind = PROTO_NOTE_SERIES;
	if (n->kind != PROTO_NOTE_NONE) {
		why = "serial";
		if (get_str(&in, n->serial, sizeof n->serial) != 0 || n->serial[0] == '\0')
			goto fail;
		if (n->kind == PROTO_NOTE_KEY) {
			why = "key";
			if (get_hex_token(&in, n->key_hex, sizeof n->key_hex) != 0)
				goto fail;
		} else {
			why = "store_id";
			if (get_u32(&in, &n->store_id) != 0)
				goto fail;
		}
	} else if (starts(&in, "tariff")) {
		n->kind = PROTO_NOTE_TARIFF;
		why = "version";
		if (get_u32(&in, &n->tariff.version) != 0)
			goto fail;
		why = "prices";
		if (get_price_list(&in, n->tariff.energy_price) != 0 ||
		    get_price_list(&in, n->tariff.service_price) != 0)
			goto fail;
	} else
		return 0;
	skip_ws(&in);
	if (in.p != in.end)
		goto fail;
	return 0;

fail:
	n->kind = PROTO_NOTE_NONE;
	if (bad != NULL)
		*bad = why;
	return -1;
}
