/* unit-wlcsv.c - the whitelist CSV codec: a good file read exactly, every kind
 * of bad line refused with its FILE:LINE[:COL] and nothing returned, and
 * export -> import round trips (Chinese holders, commas, quotes, newlines). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/wlcsv.h"
#include "tap.h"

static FILE *
open_fixture(const char *name)
{
	const char	*top = getenv("top_srcdir");
	char		*path;
	FILE		*fp;

	path = xasprintf("%s/tests/data/%s", top != NULL ? top : ".", name);
	fp = fopen(path, "rb");
	if (fp == NULL)
		printf("# cannot open %s\n", path);
	free(path);
	return fp;
}

/* Parses a fixture under the name "tests/data/NAME" so messages are exact. */
static int
parse_fixture(const char *name, struct proto_wl_entry **e, size_t *n, char **cause)
{
	FILE	*fp = open_fixture(name);
	char	*shown;
	int	 rc;

	*e = NULL;
	*n = 0;
	*cause = NULL;
	if (fp == NULL)
		return -99;
	shown = xasprintf("tests/data/%s", name);
	rc = wlcsv_parse(fp, shown, e, n, cause);
	fclose(fp);
	free(shown);
	return rc;
}

static void
good_file_is_read_exactly(void)
{
	struct proto_wl_entry	*e;
	size_t			 n;
	char			*cause;
	int			 rc;

	rc = parse_fixture("wl-good.csv", &e, &n, &cause);
	is_int(rc, 0, "good_file_parses");
	if (rc != 0) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	is_int(n, 5, "good_file_has_five_entries_comments_and_blanks_skipped");
	if (n != 5) {
		free(e);
		return;
	}
	is_str(e[0].uid, "04A2B3C4", "plain_uid");
	is_int(e[0].status, PROTO_WL_ACCEPTED, "accepted");
	is_int(e[0].expiry, 1830297599, "date_means_end_of_that_day_utc");
	is_str(e[0].holder, "张三", "chinese_holder");
	is_str(e[1].uid, "04A2B3C5", "colon_lowercase_uid_normalised");
	is_int(e[1].status, PROTO_WL_BLOCKED, "status_is_case_insensitive");
	is_int(e[1].expiry, 0, "empty_expires_is_never");
	is_str(e[1].holder, "Smith, John", "quoted_comma_holder");
	is_str(e[2].uid, "04A2B3C6D7E8F9", "spaced_seven_byte_uid");
	is_int(e[2].status, PROTO_WL_ACCEPTED, "empty_status_is_accepted");
	is_int(e[2].expiry, 1814356800, "full_iso8601_utc_expiry");
	is_str(e[2].holder, "say \"hi\"", "doubled_quotes_holder");
	is_str(e[3].uid, "0102030405060708090A", "ten_byte_uid");
	is_str(e[3].holder, "two\nlines", "holder_spanning_two_lines");
	is_str(e[4].uid, "DEADBEEF", "spaces_around_fields_trimmed");
	is_int(e[4].status, PROTO_WL_BLOCKED, "trimmed_status");
	is_int(e[4].expiry, 1893542399, "trimmed_date");
	is_str(e[4].holder, "", "empty_holder");
	free(e);
}

static void
bom_and_crlf_are_tolerated(void)
{
	struct proto_wl_entry	*e;
	size_t			 n;
	char			*cause;
	int			 rc;

	rc = parse_fixture("wl-good-bom-crlf.csv", &e, &n, &cause);
	is_int(rc, 0, "bom_and_crlf_file_parses");
	if (rc != 0) {
		printf("# %s\n", cause);
		free(cause);
		return;
	}
	is_int(n, 1, "bom_file_has_one_entry");
	if (n == 1)
		is_str(e[0].holder, "李四\nline2", "crlf_inside_quotes_reads_as_lf");
	free(e);
}

static const struct {
	const char	*file;
	const char	*message;
} bad[] = {
	{ "wl-bad-uid.csv", "tests/data/wl-bad-uid.csv:3: bad uid 'XYZ' "
	  "(expected 4 to 10 bytes of hex)" },
	{ "wl-bad-quote.csv", "tests/data/wl-bad-quote.csv:3:20: unterminated quote" },
	{ "wl-bad-stray-quote.csv", "tests/data/wl-bad-stray-quote.csv:2:22: quote inside "
	  "an unquoted field (quote the whole field and write the quote twice: \"\")" },
	{ "wl-bad-after-quote.csv", "tests/data/wl-bad-after-quote.csv:2:24: 'c' after the "
	  "closing quote (a quote inside a quoted field is written twice: \"\")" },
	{ "wl-bad-duplicate.csv", "tests/data/wl-bad-duplicate.csv:4: duplicate uid "
	  "'04A2B3C4' (first on line 2)" },
	{ "wl-bad-columns.csv", "tests/data/wl-bad-columns.csv:2: expected 4 fields "
	  "(uid,status,expires,holder), found 2" },
	{ "wl-bad-date.csv", "tests/data/wl-bad-date.csv:2: bad date '2027-02-30' "
	  "(expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ in UTC, or empty for never)" },
	{ "wl-bad-status.csv", "tests/data/wl-bad-status.csv:2: bad status 'maybe' "
	  "(expected accepted or blocked)" },
	{ "wl-bad-holder-long.csv", "tests/data/wl-bad-holder-long.csv:2: holder "
	  "'张三丰李四王五赵六钱七孙' is 36 bytes of UTF-8, longer than the pile keeps (32)" },
	{ "wl-bad-holder-utf8.csv", "tests/data/wl-bad-holder-utf8.csv:2: holder is not "
	  "valid UTF-8 (byte 3 of the field; save the file as \"CSV UTF-8\")" },
	{ "wl-bad-header.csv", "tests/data/wl-bad-header.csv:2: expected the header line "
	  "'uid,status,expires,holder' first" },
	{ "wl-bad-utf16.csv", "tests/data/wl-bad-utf16.csv: the file is UTF-16; save it "
	  "as \"CSV UTF-8\"" },
	{ "wl-bad-nul.csv", "tests/data/wl-bad-nul.csv:2:13: NUL byte (is this a UTF-16 "
	  "file? save it as \"CSV UTF-8\")" },
};

static void
bad_lines_are_refused_with_file_line_and_nothing_returned(void)
{
	struct proto_wl_entry	*e;
	size_t			 i, n;
	char			*cause;
	int			 rc;

	for (i = 0; i < nitems(bad); i++) {
		rc = parse_fixture(bad[i].file, &e, &n, &cause);
		is_int(rc, -1, "%s_is_refused", bad[i].file);
		is_str(cause, bad[i].message, "%s_message_names_file_and_line", bad[i].file);
		ok(e == NULL && n == 0, "%s_returns_nothing", bad[i].file);
		free(cause);
		free(e);
	}
}

static int
parse_string(const char *text, struct proto_wl_entry **e, size_t *n, char **cause)
{
	FILE	*fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int	 rc;

	*cause = NULL;
	rc = wlcsv_parse(fp, "mem.csv", e, n, cause);
	fclose(fp);
	return rc;
}

static void
edge_cases(void)
{
	struct proto_wl_entry	*e;
	size_t			 n;
	char			*cause;
	int			 rc;

	rc = parse_string("", &e, &n, &cause);
	is_str(cause, "mem.csv: empty file (expected the header line "
	    "'uid,status,expires,holder')", "empty_file_is_refused");
	free(cause);

	rc = parse_string("UID, Status ,EXPIRES,holder\n", &e, &n, &cause);
	ok(rc == 0 && n == 0 && e == NULL, "header_only_is_an_empty_list");

	rc = parse_string("uid,status,expires,holder\n04A2B3C4,,2028-02-29,\n"
	    "04A2B3C5,,2027-02-29,\n", &e, &n, &cause);
	is_str(cause, "mem.csv:3: bad date '2027-02-29' (expected YYYY-MM-DD, "
	    "YYYY-MM-DDTHH:MM:SSZ in UTC, or empty for never)", "feb_29_only_in_leap_years");
	free(cause);

	rc = parse_string("uid,status,expires,holder\n04A2B3C4,,2028-02-29,\n", &e, &n, &cause);
	ok(rc == 0 && n == 1 && e[0].expiry == 1835481599, "leap_day_accepted");
	free(e);

	rc = parse_string("uid,status,expires,holder\n04A2B3C4,,2027-06-30T12:00:00,\n",
	    &e, &n, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, "mem.csv:2: bad date") == cause,
	    "time_without_zone_is_refused");
	free(cause);

	rc = parse_string("uid,status,expires,holder\n04A2B3C4,,,\"张三丰李四王五赵六钱AB\"",
	    &e, &n, &cause);
	ok(rc == 0 && n == 1 && strcmp(e[0].holder, "张三丰李四王五赵六钱AB") == 0,
	    "holder_of_exactly_32_bytes_and_no_final_newline");
	free(e);

	rc = parse_string("uid,status,expires,holder\n04A2B3C4,,,a,b\n", &e, &n, &cause);
	is_str(cause, "mem.csv:2: expected 4 fields (uid,status,expires,holder), found 5",
	    "extra_field_is_refused");
	free(cause);

	rc = parse_string("uid,status,expires,holder\n04A2B3C4,,,\"\"\"\"\n", &e, &n, &cause);
	ok(rc == 0 && n == 1 && strcmp(e[0].holder, "\"") == 0, "quoted_lone_quote");
	free(e);
}

static char *
write_string(const struct proto_wl_entry *e, size_t n)
{
	char	*buf = NULL, *cause = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	if (wlcsv_write(fp, e, n, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
	}
	fclose(fp);
	return buf;
}

static void
export_then_import_round_trips_exactly(void)
{
	static const struct proto_wl_entry	want[] = {
		{ "04A2B3C4", PROTO_WL_ACCEPTED, 1830297599, "张三" },
		{ "04A2B3C5", PROTO_WL_BLOCKED, 0, "Smith, John" },
		{ "04A2B3C6D7E8F9", PROTO_WL_ACCEPTED, 1814356800, "say \"hi\"" },
		{ "0102030405060708090A", PROTO_WL_ACCEPTED, 1, "two\nlines" },
		{ "DEADBEEF", PROTO_WL_BLOCKED, 4294967295u, "" },
		{ "CAFEBABE", PROTO_WL_ACCEPTED, 0, "王五, \"老王\"\r\n# x\n" },
		{ "11223344", PROTO_WL_ACCEPTED, 0, "  spaced  " },
	};
	static const char	golden[] =
	    "uid,status,expires,holder\n"
	    "04A2B3C4,accepted,2027-12-31,张三\n"
	    "04A2B3C5,blocked,,\"Smith, John\"\n"
	    "04A2B3C6D7E8F9,accepted,2027-06-30T12:00:00Z,\"say \"\"hi\"\"\"\n"
	    "0102030405060708090A,accepted,1970-01-01T00:00:01Z,\"two\nlines\"\n"
	    "DEADBEEF,blocked,2106-02-07T06:28:15Z,\n"
	    "CAFEBABE,accepted,,\"王五, \"\"老王\"\"\r\n# x\n\"\n"
	    "11223344,accepted,,  spaced  \n";
	struct proto_wl_entry	*got;
	size_t			 i, n;
	char			*text, *again, *cause;
	int			 rc, same;

	text = write_string(want, nitems(want));
	is_str(text, golden, "export_is_the_documented_format");
	rc = parse_string(text, &got, &n, &cause);
	is_int(rc, 0, "export_reads_back");
	if (rc != 0) {
		printf("# %s\n", cause);
		free(cause);
		free(text);
		return;
	}
	is_int(n, nitems(want), "same_number_of_entries");
	same = n == nitems(want);
	for (i = 0; same && i < n; i++) {
		if (strcmp(got[i].uid, want[i].uid) != 0 || got[i].status != want[i].status ||
		    got[i].expiry != want[i].expiry || strcmp(got[i].holder, want[i].holder) != 0) {
			printf("# entry %zu: %s %u %lu '%s'\n", i, got[i].uid, got[i].status,
			    (unsigned long)got[i].expiry, got[i].holder);
			same = 0;
		}
	}
	ok(same, "every_entry_round_trips_exactly");
	again = write_string(got, n);
	is_str(again, text, "second_export_is_byte_identical");
	free(again);
	free(got);
	free(text);
}

static void
writer_refuses_what_would_not_read_back(void)
{
	struct proto_wl_entry	 e = { "04A2B3C4", 7, 0, "" };
	char			*buf = NULL, *cause = NULL;
	size_t			 len = 0;
	FILE			*fp = open_memstream(&buf, &len);

	is_int(wlcsv_write(fp, &e, 1, &cause), -1, "unknown_status_is_refused");
	is_str(cause, "cannot write the whitelist: uid '04A2B3C4' has an unknown status 7",
	    "unknown_status_message");
	free(cause);
	cause = NULL;
	e.status = PROTO_WL_ACCEPTED;
	memcpy(e.holder, "ab\xff", 4);
	is_int(wlcsv_write(fp, &e, 1, &cause), -1, "invalid_utf8_holder_is_refused");
	free(cause);
	fclose(fp);
	is_int(len, 0, "nothing_written_when_refused");
	free(buf);
}

int
main(void)
{
	good_file_is_read_exactly();
	bom_and_crlf_are_tolerated();
	bad_lines_are_refused_with_file_line_and_nothing_returned();
	edge_cases();
	export_then_import_round_trips_exactly();
	writer_refuses_what_would_not_read_back();
	return done_testing();
}
