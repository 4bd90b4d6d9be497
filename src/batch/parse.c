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

