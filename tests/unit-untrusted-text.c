/* unit-untrusted-text.c - untrusted text stays text: text_safe, the one
 * function every output path shows pile and file text through, escapes
 * what would act on a terminal and keeps valid UTF-8 (Chinese) intact and
 * width-correct; the table cells, the whitelist CSV and the archive's CSV
 * export use it. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "batch/wlcsv.h"
#include "batch/cmd-util.h"
#include "tap.h"

static void
safe_is(const char *in, int flags, const char *want, const char *name)
{
	char	*got = text_safe(in, flags);

	is_str(got, want, "%s", name);
	ok(text_is_safe(in, flags) == (strcmp(in, want) == 0), "%s_is_safe_agrees", name);
	free(got);
}

int
main(void)
{
	struct proto_wl_entry	 e;
	char			*buf = NULL, *cause = NULL;
	size_t			 len = 0;
	FILE			*f;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		printf("# no C.UTF-8 locale: widths count bytes\n");

	safe_is("ACME 1.2-x", 0, "ACME 1.2-x", "plain_ascii_unchanged");
	safe_is("张三", 0, "张三", "chinese_unchanged");
	safe_is("\x1b[2J\x1b[31mred", 0, "\\x1B[2J\\x1B[31mred", "escape_sequence_shown");
	safe_is("ab\b\bXY", 0, "ab\\x08\\x08XY", "backspace_shown");
	safe_is("a\nb\rc\td", 0, "a\\nb\\rc\\td", "line_breaks_shown");
	safe_is("a\nb\r\nc\rd", TEXT_KEEP_NEWLINE, "a\nb\r\nc\\rd", "csv_keeps_line_breaks_only");
	safe_is("paid\r999", TEXT_KEEP_NEWLINE, "paid\\r999", "csv_lone_carriage_return_shown");
	safe_is("x\x7fy", 0, "x\\x7Fy", "del_shown");
	safe_is("\xc2\x9b" "31m", 0, "\\u009B31m", "c1_csi_shown");
	safe_is("abc\xe2\x80\xae" "fdp.exe", 0, "abc\\u202Efdp.exe", "bidi_override_shown");
	safe_is("\xff\xfe", 0, "\\xFF\\xFE", "invalid_bytes_shown");
	safe_is("\xc0\xaf", 0, "\\xC0\\xAF", "overlong_slash_shown");
	safe_is("\xed\xa0\x80", 0, "\\xED\\xA0\\x80", "surrogate_shown");
	safe_is("张\xe4\xb8", 0, "张\\xE4\\xB8", "truncated_character_shown");
	safe_is("\xf0\x9f\x94\x8c plug", 0, "\xf0\x9f\x94\x8c plug", "emoji_unchanged");

	{
		char *s = text_safe("张三\x1b", 0);

		is_int(utf8_width(s), 8, "width_of_safe_text_counts_the_escape");
		free(s);
	}

	/* A table cell: the hostile holder does not reach the terminal and
	 * the padding counts what is shown. */
	f = open_memstream(&buf, &len);
	put_cell(f, "\x1b[2Jx", 12);
	fputc('|', f);
	fclose(f);
	is_str(buf, "\\x1B[2Jx    |", "table_cell_shows_escape_padded");
	free(buf);

	/* The whitelist CSV: escapes shown, a line break stays data. */
	memset(&e, 0, sizeof e);
	strcpy(e.uid, "04A1B2C3");
	e.status = PROTO_WL_ACCEPTED;
	strcpy(e.holder, "李\x1b]0;x\x07\nline2");
	buf = NULL;
	f = open_memstream(&buf, &len);
	ok(wlcsv_write(f, &e, 1, &cause) == 0, "csv_written");
	fclose(f);
	is_str(buf, WLCSV_HEADER "\n04A1B2C3,accepted,,\"李\\x1B]0;x\\x07\nline2\"\n",
	    "csv_holder_escaped_line_break_kept");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ok(wlcsv_write_exact(f, &e, 1, &cause) == 0, "exact_csv_written");
	fclose(f);
	ok(strchr(buf, '\x1b') != NULL, "exact_csv_keeps_bytes_for_pilecon_itself");
	free(buf);
	return done_testing();
}
