/* common.c - memory wrappers and error messages shared by every part. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "common.h"

void
fatal_oom(void)
{
	fputs("pilecon: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal_oom();
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p = realloc(old, n ? n : 1);

	if (p == NULL)
		fatal_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		fatal_oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) < 0)
		fatal_oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

int
set_cause(char **cause, int rc, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return rc;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return rc;
}

int
utf8_width(const char *s)
{
	mbstate_t	 mbs;
	wchar_t		 wc;
	size_t		 n;
	int		 w = 0, cw;

	memset(&mbs, 0, sizeof mbs);
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &mbs);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&mbs, 0, sizeof mbs);
			w++;
			s++;
			continue;
		}
		cw = wcwidth(wc);
		w += cw >= 0 ? cw : 1;	/* as tui_put shows it: ? or a space */
		s += n;
	}
	return w;
}

uint64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
mono_ms(void)
{
	return mono_us() / 1000;
}

size_t
utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t		n, i;
	uint32_t	c, min;

	if (left == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		if (cp != NULL)
			*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp != NULL)
		*cp = c;
	return n;
}

/* Code points that are valid UTF-8 but still act on a terminal or on the
 * order of what a reader sees. */
static int
text_unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x2028 || c == 0x2029 ||		/* line, paragraph separator */
	    (c >= 0x202a && c <= 0x202e) ||		/* bidi embeddings, overrides */
	    (c >= 0x2066 && c <= 0x2069) ||		/* bidi isolates */
	    c == 0x200e || c == 0x200f || c == 0x061c ||	/* direction marks */
	    c == 0xfeff;					/* BOM, zero width */
}

/* What text_safe writes for s (NULL: only its length); returns the length. */
static size_t
text_safe_put(const char *str, int flags, char *out)
{
	const unsigned char	*s = (const unsigned char *)str;
	char			 esc[16];
	size_t			 n, len = 0, e;
	uint32_t		 c;

	while (*s != '\0') {
		n = utf8_decode(s, SIZE_MAX, &c);
		if (n > 0 && (!text_unsafe_cp(c) || ((flags & TEXT_KEEP_NEWLINE) &&
		    (c == '\n' || (c == '\r' && s[1] == '\n'))))) {
			if (out != NULL)
				memcpy(out + len, s, n);
			len += n;
			s += n;
			continue;
		}
		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02X", *s);
			n = 1;
		} else if (c == '\t')
			strcpy(esc, "\\t");
		else if (c == '\n')
			strcpy(esc, "\\n");
		else if (c == '\r')
			strcpy(esc, "\\r");
		else if (c < 0x80)
			snprintf(esc, sizeof esc, "\\x%02X", (unsigned)c);
		else
			snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
		e = strlen(esc);
		if (out != NULL)
			memcpy(out + len, esc, e);
		len += e;
		s += n;
	}
	if (out != NULL)
		out[len] = '\0';
	return len;
}

char *
text_safe(const char *s, int flags)
{
	char	*out;

	if (s == NULL)
		return xstrdup("");
	out = xmalloc(text_safe_put(s, flags, NULL) + 1);
	text_safe_put(s, flags, out);
	return out;
}

const char *
text_show(const char *s)
{
	static char	*ring[16];
	static unsigned	 next;
	char		**slot = &ring[next++ % nitems(ring)];

	free(*slot);
	*slot = text_safe(s, 0);
	return *slot;
}

int
text_is_safe(const char *s, int flags)
{
	/* Every escape is longer than what it replaces. */
	return s == NULL || text_safe_put(s, flags, NULL) == strlen(s);
}

int
text_safe_fputs(const char *s, int flags, FILE *f)
{
	char	*safe;
	int	 rc;

	if (s == NULL)
		return 0;
	if (text_is_safe(s, flags))
		return fputs(s, f);
	safe = text_safe(s, flags);
	rc = fputs(safe, f);
	free(safe);
	return rc;
}

char *
fmt_kwh(char *buf, size_t size, uint64_t wh)
{
	snprintf(buf, size, "%llu.%03llu", (unsigned long long)(wh / 1000),
	    (unsigned long long)(wh % 1000));
	return buf;
}

char *
fmt_minor(char *buf, size_t size, int64_t minor)
{
	const char	*sign = minor < 0 ? "-" : "";
	uint64_t	 v = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;

	snprintf(buf, size, "%s%llu.%02llu", sign, (unsigned long long)(v / 100),
	    (unsigned long long)(v % 100));
	return buf;
}

char *
fmt_price(char *buf, size_t size, uint32_t price)
{
	snprintf(buf, size, "%u.%05u", price / 100000, price % 100000);
	return buf;
}

/* ---- the one date and time parser ---------------------------------- */

static int
time_digits(const char **pp, int ndigits, int *out)
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
time_days(int64_t y, unsigned m, unsigned d)
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
time_mdays(int y, int m)
{
	static const int	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

int
time_parse(const char *s, int flags, int64_t *t, char **cause)
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
	if (time_digits(&p, 4, &y) != 0 || *p++ != '-' || time_digits(&p, 2, &mo) != 0 ||
	    *p++ != '-' || time_digits(&p, 2, &d) != 0)
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > time_mdays(y, mo))
		return set_cause(cause, -1, _("bad date '%s': no such day"), s);
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (time_digits(&p, 2, &h) != 0 || *p++ != ':' || time_digits(&p, 2, &mi) != 0)
			goto bad;
		if (*p == ':') {
			p++;
			if (time_digits(&p, 2, &se) != 0)
				goto bad;
		}
		if (h > 23 || mi > 59 || se > 59)
			return set_cause(cause, -1, _("bad time '%s': no such time of day"), s);
		has_time = 1;
		if (*p == 'Z' || *p == 'z') {
			p++;
			has_zone = 1;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (time_digits(&p, 2, &zh) != 0)
				goto bad;
			if (*p == ':')
				p++;
			if (time_digits(&p, 2, &zm) != 0 || zh > 14 || zm > 59)
				goto bad;
			off = sign * (zh * 3600 + zm * 60);
			has_zone = 1;
		}
	}
	if (*p != '\0')
		goto bad;
	/* In a file a time without a zone would depend on the laptop. */
	if (has_time && !has_zone && (flags & TIME_UTC_ONLY))
		goto bad;
	if (!has_time) {
		/* A bare date is a UTC day, as in the whitelist CSV (wlcsv.h). */
		if (flags & TIME_DATE_END) {
			h = 23;
			mi = 59;
			se = 59;
		}
		has_zone = 1;
	}
	if (has_zone) {
		*t = time_days(y, (unsigned)mo, (unsigned)d) * 86400 +
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

/* A YAML 1.1 double-quoted scalar (YAML 1.1 §5.7, §9.2) that libyaml reads
 * back as s, on one line: '"' and '\\' escaped, every character outside
 * c-printable (C0, DEL, C1, U+FFFE/U+FFFF) and every line break YAML knows
 * (LF, CR, NEL, U+2028, U+2029) escaped, and the BOM too, so no byte of the
 * value can end the scalar, start a comment or a new key. Returns NULL when
 * s is not UTF-8 (YAML text must be; utf8_decode also refuses surrogates,
 * which libyaml refuses even escaped), with *bad_at the offset of the first
 * bad byte. */
char *
text_yaml_quote(const char *s, size_t *bad_at)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*buf = NULL;
	size_t			 len = 0, n;
	uint32_t		 c;
	FILE			*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal_oom();
	fputc('"', f);
	for (; *p != '\0'; p += n) {
		if ((n = utf8_decode(p, SIZE_MAX, &c)) == 0) {
			fclose(f);
			free(buf);
			*bad_at = (size_t)(p - (const unsigned char *)s);
			return NULL;
		}
		switch (c) {
		case '"':	fputs("\\\"", f);	continue;
		case '\\':	fputs("\\\\", f);	continue;
		case '\t':	fputs("\\t", f);	continue;
		case '\n':	fputs("\\n", f);	continue;
		case '\r':	fputs("\\r", f);	continue;
		case 0x1b:	fputs("\\e", f);	continue;
		case 0x85:	fputs("\\N", f);	continue;
		case 0x2028:	fputs("\\L", f);	continue;
		case 0x2029:	fputs("\\P", f);	continue;
		}
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			fprintf(f, "\\x%02X", (unsigned)c);
		else if (c == 0xfeff || c == 0xfffe || c == 0xffff)
			fprintf(f, "\\u%04X", (unsigned)c);
		else
			fwrite(p, 1, n, f);
	}
	fputc('"', f);
	if (fclose(f) != 0)
		fatal_oom();
	return buf;
}
