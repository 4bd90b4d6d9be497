/* export-line.c - one line of a pilecon records export read back (CSV after
 * its header line, or JSON Lines, as src/archive/export.c writes them): the
 * named fields, and the charging record rebuilt from them. What `pilecon
 * logs verify` and pilesim's `ctl cloud import` both read. No I/O. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"

int
proto_export_csv_complete(const char *s)
{
	unsigned	quotes = 0;

	for (; *s != '\0'; s++)
		quotes += *s == '"';
	return quotes % 2 == 0;
}

/* RFC 4180; a quoted field may hold "" and line breaks (the caller joined
 * the lines). Unquoted and quoted text alike lose a leading apostrophe that
 * guarded a formula (export.c puts it there). */
static int
split_csv(struct proto_export_line *l, char *s)
{
	char	*out, *start;
	int	 quoted;

	l->nf = 0;
	for (;;) {
		if (l->nf == PROTO_EXPORT_FIELDS)
			return -1;
		start = out = s;
		quoted = *s == '"';
		if (quoted)
			s++;
		for (;;) {
			if (quoted && *s == '"' && s[1] == '"') {
				*out++ = '"';
				s += 2;
			} else if (quoted && *s == '"') {
				quoted = 0;
				s++;
			} else if (*s == '\0' || (!quoted && (*s == ',' || *s == '\n' ||
			    *s == '\r')))
				break;
			else
				*out++ = *s++;
		}
		if (start[0] == '\'' && out > start + 1 && strchr("=+-@'", start[1]) != NULL) {
			memmove(start, start + 1, (size_t)(out - start - 1));
			out--;
		}
		l->value[l->nf++] = start;
		if (*s != ',') {
			*out = '\0';
			break;
		}
		*out = '\0';
		s++;
	}
	return 0;
}

int
proto_export_split_csv(struct proto_export_line *l, char *s)
{
	size_t	len, used = 0;
	int	i;

	if (split_csv(l, s) != 0)
		return -1;
	if (l->nheader > 0) {
		for (i = 0; i < l->nf; i++)
			l->name[i] = i < l->nheader ? l->hname[i] : NULL;
		return 0;
	}
	/* The first line names the columns: keep copies of the names. */
	for (i = 0; i < l->nf; i++) {
		len = strlen(l->value[i]) + 1;
		if (used + len > sizeof l->hbuf)
			return -1;
		memcpy(l->hbuf + used, l->value[i], len);
		l->hname[i] = l->hbuf + used;
		used += len;
	}
	l->nheader = l->nf;
	l->nf = 0;
	return 1;
}

/* The four hex digits of a JSON string escape at s into *out; -1 when one is not hex. */
int
proto_hex4(const char *s, unsigned *out)
{
	unsigned	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			v |= (unsigned)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			v |= (unsigned)(s[i] - 'a' + 10);
		else if (s[i] >= 'A' && s[i] <= 'F')
			v |= (unsigned)(s[i] - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A JSON string at *sp (on its opening quote), unescaped in place; NULL
 * when it does not end. *sp moves past the closing quote. \u escapes up to
 * U+FFFF become UTF-8 (the export escapes only control characters). */
static char *
json_string(char **sp)
{
	char		*s = *sp + 1, *out = s, *start = s;
	unsigned	 c;

	while (*s != '"') {
		if (*s == '\0')
			return NULL;
		if (*s != '\\') {
			*out++ = *s++;
			continue;
		}
		switch (*++s) {
		case 'n': *out++ = '\n'; break;
		case 'r': *out++ = '\r'; break;
		case 't': *out++ = '\t'; break;
		case 'b': *out++ = '\b'; break;
		case 'f': *out++ = '\f'; break;
		case 'u':
			if (proto_hex4(s + 1, &c) != 0 || c == 0)
				return NULL;
			if (c < 0x80)
				*out++ = (char)c;
			else if (c < 0x800) {
				*out++ = (char)(0xc0 | c >> 6);
				*out++ = (char)(0x80 | (c & 0x3f));
			} else {
				*out++ = (char)(0xe0 | c >> 12);
				*out++ = (char)(0x80 | ((c >> 6) & 0x3f));
				*out++ = (char)(0x80 | (c & 0x3f));
			}
			s += 4;
			break;
		case '\0':
			return NULL;
		default:
			*out++ = *s;
			break;
		}
		s++;
	}
	*out = '\0';
	*sp = s + 1;
	return start;
}

int
proto_export_split_json(struct proto_export_line *l, char *s)
{
	char	*key, *val, ch;

	l->nf = 0;
	while (*s == ' ')
		s++;
	if (*s++ != '{')
		return -1;
	for (;;) {
		while (*s == ' ' || *s == ',')
			s++;
		if (*s == '}')
			return 0;
		if (*s != '"' || l->nf == PROTO_EXPORT_FIELDS || (key = json_string(&s)) == NULL)
			return -1;
		while (*s == ' ')
			s++;
		if (*s++ != ':')
			return -1;
		while (*s == ' ')
			s++;
		if (*s == '"') {
			if ((val = json_string(&s)) == NULL)
				return -1;
			ch = 0;
		} else {
			val = s;
			while (*s != '\0' && *s != ',' && *s != '}' && *s != ' ')
				s++;
			if (*s == '\0')
				return -1;
			ch = *s;
			*s++ = '\0';
		}
		l->name[l->nf] = key;
		l->value[l->nf++] = strcmp(val, "null") == 0 && ch != 0 ? NULL : val;
		if (ch == '}')
			return 0;
	}
}

const char *
proto_export_field(const struct proto_export_line *l, const char *name)
{
	int	i;

	for (i = 0; i < l->nf; i++)
		if (l->name[i] != NULL && strcmp(l->name[i], name) == 0)
			return l->value[i];
	return NULL;
}

int
proto_export_u32(const struct proto_export_line *l, const char *name, uint32_t *out)
{
	const char	*s = proto_export_field(l, name);
	char		*end;
	unsigned long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || n > UINT32_MAX)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

/* ISO 8601 UTC as the export writes it, or unix seconds. */
static int
get_time(const struct proto_export_line *l, const char *name, uint32_t *out)
{
	const char	*s = proto_export_field(l, name);
	struct tm	 tm;
	char		*end;
	time_t		 t;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return proto_export_u32(l, name, out);
	t = timegm(&tm);
	if (t < 0 || t > (time_t)UINT32_MAX)
		return -1;
	*out = (uint32_t)t;
	return 0;
}

static int
get_enum(const struct proto_export_line *l, const char *name, enum proto_enum_id id,
    uint8_t *out)
{
	const char	*s = proto_export_field(l, name);
	unsigned	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 256; i++)
		if (strcmp(proto_enum_key(id, i), s) == 0 && strcmp(s, "unknown") != 0) {
			*out = (uint8_t)i;
			return 0;
		}
	return -1;
}

const char *const proto_export_periods[PROTO_PERIODS] = { "sharp", "peak", "flat", "valley" };

int
proto_export_record(const struct proto_export_line *l, struct proto_record *r,
    const char **bad)
{
	const char	*tag, *s;
	char		 name[32];
	int		 i;

	memset(r, 0, sizeof *r);
#define NEED(x, f) do { if ((x) != 0) { *bad = (f); return -1; } } while (0)
	NEED(proto_export_u32(l, "seq", &r->seq), "seq");
	NEED(get_enum(l, "kind", PROTO_ENUM_KIND, &r->kind), "kind");
	s = proto_export_field(l, "offline");
	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0))
		r->flags |= PROTO_REC_F_OFFLINE;
	tag = r->kind == PROTO_REC_APP_ORDER ? proto_export_field(l, "order_id") :
	    proto_export_field(l, "card_uid");
	snprintf(r->tag, sizeof r->tag, "%s", tag != NULL ? tag : "");
	s = proto_export_field(l, "holder");
	snprintf(r->holder, sizeof r->holder, "%s", s != NULL ? s : "");
	NEED(get_time(l, "start", &r->start), "start");
	NEED(get_time(l, "stop", &r->stop), "stop");
	NEED(proto_export_u32(l, "meter_start_wh", &r->meter_start_wh), "meter_start_wh");
	NEED(proto_export_u32(l, "meter_stop_wh", &r->meter_stop_wh), "meter_stop_wh");
	for (i = 0; i < PROTO_PERIODS; i++) {
		snprintf(name, sizeof name, "energy_wh_%s", proto_export_periods[i]);
		NEED(proto_export_u32(l, name, &r->energy_wh[i]), "energy_wh_*");
		snprintf(name, sizeof name, "energy_fee_%s", proto_export_periods[i]);
		NEED(proto_export_u32(l, name, &r->energy_fee_minor[i]), "energy_fee_*");
		snprintf(name, sizeof name, "service_fee_%s", proto_export_periods[i]);
		NEED(proto_export_u32(l, name, &r->service_fee_minor[i]), "service_fee_*");
	}
	NEED(proto_export_u32(l, "tariff_version", &r->tariff_version), "tariff_version");
	NEED(get_enum(l, "stop_reason", PROTO_ENUM_STOP, &r->stop_reason), "stop_reason");
#undef NEED
	return 0;
}
