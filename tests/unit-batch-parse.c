/* unit-batch-parse.c - what technicians type: durations, times, and the
 * JSON string escapes of --json output. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "json.h"
#include "batch/batch.h"
#include "tap.h"

static uint32_t
dur(const char *s)
{
	uint32_t	 v = 0xdeadbeef;
	char		*cause = NULL;

	if (batch_parse_duration(s, &v, &cause) != 0) {
		free(cause);
		return 0xffffffff;
	}
	return v;
}

static int
dur_fails_with(const char *s, const char *needle)
{
	uint32_t	 v;
	char		*cause = NULL;
	int		 r;

	if (batch_parse_duration(s, &v, &cause) == 0)
		return 0;
	r = strstr(cause, needle) != NULL;
	if (!r)
		printf("# cause: %s\n", cause);
	free(cause);
	return r;
}

static int64_t
tm_of(const char *s, int date_end)
{
	int64_t	 t = -12345;
	char	*cause = NULL;

	if (time_parse(s, date_end ? TIME_DATE_END : 0, &t, &cause) != 0) {
		free(cause);
		return -1;
	}
	return t;
}

int
main(void)
{
	char	*s, buf[256];
	FILE	*f;

	setenv("TZ", "Asia/Shanghai", 1);	/* UTC+8, no DST: local time is checked */
	tzset();

	is_int(dur("90s"), 90, "duration_90s_is_90_seconds");
	is_int(dur("30m"), 1800, "duration_30m_is_1800_seconds");
	is_int(dur("2h"), 7200, "duration_2h_is_7200_seconds");
	is_int(dur("1d"), 86400, "duration_1d_is_86400_seconds");
	is_int(dur("1h30m"), 5400, "duration_1h30m_combines_units");
	is_int(dur("1d2h3m4s"), 93784, "duration_all_units_in_order");
	is_int(dur("0s"), 0, "duration_zero_parses_callers_decide");
	ok(dur_fails_with("90", "unit is missing"), "duration_without_unit_is_refused");
	ok(dur_fails_with("", "empty"), "empty_duration_is_refused");
	ok(dur_fails_with("2x", "unknown unit 'x'"), "duration_unknown_unit_named");
	ok(dur_fails_with("30m1h", "largest first"), "duration_units_out_of_order_refused");
	ok(dur_fails_with("1h1h", "largest first"), "duration_repeated_unit_refused");
	ok(dur_fails_with("h", "expected a number"), "duration_unit_without_number_refused");
	ok(dur_fails_with("-5m", "expected a number"), "negative_duration_refused");
	ok(dur_fails_with("99999999999s", "too long"), "overflowing_duration_refused");
	ok(dur_fails_with("50000d", "too long"), "duration_over_32_bits_refused");

	s = batch_format_duration(7200);
	is_str(s, "2h", "format_2h");
	free(s);
	s = batch_format_duration(5400);
	is_str(s, "1h30m", "format_1h30m");
	free(s);
	s = batch_format_duration(93784);
	is_str(s, "1d2h", "format_shows_two_largest_units");
	free(s);
	s = batch_format_duration(45);
	is_str(s, "45s", "format_seconds");
	free(s);

	is_int(tm_of("1795000000", 0), 1795000000LL, "time_unix_seconds");
	is_int(tm_of("2026-11-25T14:00:00Z", 0), 1795615200LL, "time_iso_utc");
	is_int(tm_of("2026-11-25T22:00:00+08:00", 0), 1795615200LL, "time_iso_with_offset");
	is_int(tm_of("2026-11-25T22:00+0800", 0), 1795615200LL, "time_offset_without_colon");
	is_int(tm_of("2026-11-25 22:00", 0), 1795615200LL, "time_without_zone_is_local");
	is_int(tm_of("2026-11-25", 0), 1795564800LL, "bare_date_is_start_of_utc_day");
	is_int(tm_of("2026-11-25", 1), 1795651199LL, "bare_date_end_is_last_second_of_utc_day");
	is_int(tm_of("2024-02-29", 0), 1709164800LL, "leap_day_accepted");
	is_int(tm_of("2026-02-29", 0), -1, "no_leap_day_in_2026");
	is_int(tm_of("2026-13-01", 0), -1, "month_13_refused");
	is_int(tm_of("2026-11-25T24:00", 0), -1, "hour_24_refused");
	is_int(tm_of("25/11/2026", 0), -1, "other_date_formats_refused");
	is_int(tm_of("2026-11-25Tjunk", 0), -1, "trailing_junk_refused");

	f = tmpfile();
	json_write_str(f, "a\"b\\c\n\x01张三");
	rewind(f);
	memset(buf, 0, sizeof buf);
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	is_str(buf, "\"a\\\"b\\\\c\\n\\u0001张三\"", "json_string_escapes_quotes_controls_keeps_utf8");

	return done_testing();
}
