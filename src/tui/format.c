/* format.c - values in the words and units the views show, and the parsing
 * of what a technician types (durations, dates). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "tui.h"

/* Local time (or date) of t; "-" for no time. */
static const char *
tui_fmt_local(uint32_t t, int date, char *buf, size_t len)
{
	time_t		tt = t;
	struct tm	tm;

	if (t == 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, date ? "%Y-%m-%d" : "%H:%M:%S", &tm);
	return (buf);
}

const char *
tui_fmt_time(uint32_t t, char *buf, size_t len)
{
	return (tui_fmt_local(t, 0, buf, len));
}

const char *
tui_fmt_date(uint32_t t, char *buf, size_t len)
{
	return (tui_fmt_local(t, 1, buf, len));
}

const char *
tui_fmt_span(long s, char *buf, size_t len)
{
	if (s < 0)
		s = -s;
	if (s < 60)
		snprintf(buf, len, _("%ld s"), s);
	else if (s < 3600)
		snprintf(buf, len, _("%ld m %ld s"), s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, _("%ld h %ld m"), s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, _("%ld d %ld h"), s / 86400, s / 3600 % 24);
	return (buf);
}

const char *
tui_fmt_kwh(uint64_t wh, char *buf, size_t len)
{
	char	n[32];

	snprintf(buf, len, "%s kWh", fmt_kwh(n, sizeof n, wh));
	return (buf);
}

const char *
tui_fmt_money(uint64_t minor, char *buf, size_t len)
{
	return (fmt_minor(buf, len, (int64_t)minor));
}

long long
tui_parse_date(const char *s)
{
	int64_t		 t;
	char		*cause = NULL;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || strcmp(s, "never") == 0 || strcmp(s, _("never")) == 0)
		return (0);
	/* The one parser: a card valid "until 2025-12-31" works all that day,
	 * pile time (UTC); 2025-02-30 is no day at all. */
	if (time_parse(s, TIME_DATE_END, &t, &cause) != 0 || t <= 0 ||
	    t > UINT32_MAX) {
		free(cause);
		return (-1);
	}
	return ((long long)t);
}
