/* unit-date.c - the one date and time parser, in one table: every place
 * that reads a date (batch options, the whitelist CSV, the console's expiry
 * prompt) gives the same answer for the same text. 2025-02-30 is no day:
 * refused everywhere, never rolled over to 2 March. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/wlcsv.h"
#include "tui/tui.h"
#include "tap.h"

#define NO	(-1)		/* refused */

static const struct {
	const char	*text;
	int		 flags;
	int64_t		 want;		/* NO: refused */
	int		 file_ok;	/* the CSV takes it too (a UTC time) */
} rows[] = {
	{ "2025-02-28", TIME_DATE_END, 1740787199, 1 },
	{ "2025-02-28", 0, 1740700800, 1 },
	{ "2025-02-29", TIME_DATE_END, NO, 1 },	/* 2025 is no leap year */
	{ "2025-02-30", TIME_DATE_END, NO, 1 },
	{ "2025-04-31", TIME_DATE_END, NO, 1 },
	{ "2024-02-29", TIME_DATE_END, 1709251199, 1 },
	{ "2000-02-29", 0, 951782400, 1 },		/* divisible by 400 */
	{ "2100-02-29", 0, NO, 1 },			/* by 100, not 400 */
	{ "2025-13-01", 0, NO, 1 },
	{ "2025-00-10", 0, NO, 1 },
	{ "2025-1-01", 0, NO, 1 },
	{ "2026-11-25T14:00:00Z", 0, 1795615200, 1 },
	{ "2026-11-25T14:00Z", 0, 1795615200, 1 },
	{ "2026-11-25T22:00+08:00", 0, 1795615200, 1 },
	{ "2026-11-25T24:00Z", 0, NO, 1 },
	{ "2026-11-25T12:60Z", 0, NO, 1 },
	{ "2026-11-25T12:00:60Z", 0, NO, 1 },
	{ "1795000000", 0, 1795000000, 0 },		/* unix seconds */
	{ "2025-02-28junk", 0, NO, 1 },
	{ "tomorrow", 0, NO, 1 },
};

/* What the whitelist CSV makes of an expiry cell: the time, or NO. */
static int64_t
csv_expiry(const char *date)
{
	struct proto_wl_entry	*e = NULL;
	char			 text[256], *cause = NULL;
	size_t			 n = 0;
	int64_t			 t = NO;
	FILE			*f;

	snprintf(text, sizeof text, "uid,status,expires,holder\n04A1B2C3,accepted,%s,x\n",
	    date);
	f = fmemopen(text, strlen(text), "r");
	if (wlcsv_parse(f, "t.csv", &e, &n, &cause) == 0 && n == 1)
		t = e[0].expiry;
	fclose(f);
	free(cause);
	free(e);
	return t;
}

int
main(void)
{
	int64_t	 t;
	char	*cause;
	size_t	 i;
	int	 rc;

	for (i = 0; i < nitems(rows); i++) {
		cause = NULL;
		rc = time_parse(rows[i].text, rows[i].flags, &t, &cause);
		if (rows[i].want == NO)
			ok(rc != 0 && cause != NULL, "parser_refuses '%s'", rows[i].text);
		else
			ok(rc == 0 && t == rows[i].want, "parser_reads '%s' as %lld (got %lld)",
			    rows[i].text, (long long)rows[i].want, rc == 0 ? (long long)t : -1LL);
		free(cause);
		/* The expiry readers: a bare date is the end of that day. */
		if (!(rows[i].flags & TIME_DATE_END) && strlen(rows[i].text) == 10)
			continue;
		if (rows[i].file_ok)
			is_int(csv_expiry(rows[i].text), rows[i].want,
			    "csv_import_agrees_on '%s'", rows[i].text);
		is_int(tui_parse_date(rows[i].text), rows[i].want,
		    "console_expiry_prompt_agrees_on '%s'", rows[i].text);
	}
	/* The one deliberate difference: a file cannot say local time. */
	cause = NULL;
	ok(time_parse("2026-11-25T14:00", TIME_UTC_ONLY, &t, &cause) != 0,
	    "file_time_without_zone_is_refused");
	free(cause);
	cause = NULL;
	ok(time_parse("2026-11-25T14:00", 0, &t, &cause) == 0,
	    "typed_time_without_zone_is_local_time");
	free(cause);
	is_int(csv_expiry(""), 0, "empty_csv_expiry_is_never");
	is_int(tui_parse_date("never"), 0, "never_at_the_prompt_is_never");
	return done_testing();
}
