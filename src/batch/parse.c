/* parse.c - what people type and read on the command line: durations,
 * times and dates, and the JSON string literals of --json output. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "batch/batch.h"

/*
 * Units in descending order, each at most once: "1h30m" is a duration,
 * "30m1h" and "1h1h" are typing mistakes a technician should hear about
 * rather than a pile left offline for an unexpected time.
 */
int
batch_parse_duration(const char *s, uint32_t *secs, char **cause)
{
	static const struct { char unit; uint32_t secs; } units[] = {
		{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 }
	};
	const char	*p = s;
	uint64_t	 total = 0, v;
	size_t		 next = 0, i;

	if (s == NULL || *s == '\0')
		return set_cause(cause, -1, _("empty duration (use e.g. 90s, 30m, 2h, 1d, 1h30m)"));
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p))
			return set_cause(cause, -1, _("bad duration '%s': expected a number at '%s' "
			    "(use e.g. 90s, 30m, 2h, 1d, 1h30m)"), s, p);
		v = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > UINT32_MAX)
				return set_cause(cause, -1, _("duration '%s' is too long"), s);
			p++;
		}
		if (*p == '\0')
			return set_cause(cause, -1, _("bad duration '%s': a unit is missing after %llu "
			    "(s, m, h or d: e.g. %llus)"), s, (unsigned long long)v,
			    (unsigned long long)v);
		for (i = next; i < nitems(units); i++)
			if (units[i].unit == *p)
				break;
		if (i == nitems(units)) {
			for (i = 0; i < nitems(units); i++)
				if (units[i].unit == *p)
					return set_cause(cause, -1, _("bad duration '%s': units must "
					    "come largest first, each once (e.g. 1h30m)"), s);
			return set_cause(cause, -1, _("bad duration '%s': unknown unit '%c' "
			    "(use s, m, h or d)"), s, *p);
		}
		total += v * units[i].secs;
		if (total > UINT32_MAX)
			return set_cause(cause, -1, _("duration '%s' is too long"), s);
		next = i + 1;
		p++;
	}
	*secs = (uint32_t)total;
	return 0;
}

char *
batch_format_duration(uint32_t secs)
{
	uint32_t	d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;

	if (d > 0)
		return h ? xasprintf("%ud%uh", d, h) : xasprintf("%ud", d);
	if (h > 0)
		return m ? xasprintf("%uh%um", h, m) : xasprintf("%uh", h);
	if (m > 0)
		return s ? xasprintf("%um%us", m, s) : xasprintf("%um", m);
	return xasprintf("%us", s);
}

static int
parse_fixed(const char **pp, int ndigits, int *out)
{
	int	v = 0, i;

	for (i = 0; i < ndigits; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += ndigits;
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so UTC times need neither timegm nor TZ games. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

int
batch_parse_time(const char *s, int date_end, int64_t *t, char **cause)
{
	const char	*p = s, *q;
	int		 y, mo, d, h = 0, mi = 0, se = 0, has_time = 0, has_zone = 0;
	int		 sign, zh, zm;
	int64_t		 off = 0, v;
	struct tm	 tm;
	time_t		 lt;

	if (s == NULL || *s == '\0')
		return set_cause(cause, -1, _("empty time"));
	for (q = s; isdigit((unsigned char)*q); q++)
		;
	if (*q == '\0' && q - s > 8) {		/* unix seconds, not a date */
		errno = 0;
		v = strtoll(s, NULL, 10);
		if (errno != 0 || v > UINT32_MAX)
			return set_cause(cause, -1, _("time '%s' is out of range"), s);
		*t = v;
		return 0;
	}
	if (parse_fixed(&p, 4, &y) != 0 || *p++ != '-' || parse_fixed(&p, 2, &mo) != 0 ||
	    *p++ != '-' || parse_fixed(&p, 2, &d) != 0)
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return set_cause(cause, -1, _("bad date '%s': no such day"), s);
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (parse_fixed(&p, 2, &h) != 0 || *p++ != ':' || parse_fixed(&p, 2, &mi) != 0)
			goto bad;
		if (*p == ':') {
			p++;
			if (parse_fixed(&p, 2, &se) != 0)
				goto bad;
		}
		if (h > 23 || mi > 59 || se > 60)
			return set_cause(cause, -1, _("bad time '%s': no such time of day"), s);
		has_time = 1;
		if (*p == 'Z' || *p == 'z') {
			p++;
			has_zone = 1;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (parse_fixed(&p, 2, &zh) != 0)
				goto bad;
			if (*p == ':')
				p++;
			if (parse_fixed(&p, 2, &zm) != 0 || zh > 14 || zm > 59)
				goto bad;
			off = sign * (zh * 3600 + zm * 60);
			has_zone = 1;
		}
	}
	if (*p != '\0')
		goto bad;
	if (!has_time) {
		/* A bare date is a UTC day, as in the whitelist CSV (wlcsv.h). */
		if (date_end) {
			h = 23;
			mi = 59;
			se = 59;
		}
		has_zone = 1;
	}
	if (has_zone) {
		*t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		    h * 3600 + mi * 60 + se - off;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	if ((lt = mktime(&tm)) == (time_t)-1)
		return set_cause(cause, -1, _("time '%s' is out of range"), s);
	*t = lt;
	return 0;
bad:
	return set_cause(cause, -1, _("bad time '%s' (use 2026-11-25, 2026-11-25T14:00, "
	    "2026-11-25T14:00:00Z, 2026-11-25T14:00+08:00 or unix seconds)"), s);
}

const char *
batch_format_time(int64_t t)
{
	static char	buf[64];
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, sizeof buf, "@%lld", (long long)t);
	return buf;
}

void
batch_json_str(FILE *f, const char *s)
{
	const unsigned char	*p;

	fputc('"', f);
	for (p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}
