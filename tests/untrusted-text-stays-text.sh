#!/bin/sh
# untrusted-text-stays-text.sh - a pile whose whitelist holds a holder name
# made of escape sequences, backspaces, a carriage return and a newline (and
# Chinese): every batch output that shows it - the whitelist table, the
# whitelist CSV on stdout, status, the records table, the CSV export - shows
# it as text, and no control byte reaches the terminal; the Chinese stays.
. "$top_srcdir/tests/batch-lib.sh"

# no_controls TEXT: 0 when TEXT has no C0 byte but LF, and no DEL.
no_controls() {
	[ "$(printf '%s' "$1" | LC_ALL=C tr -d '\n' | LC_ALL=C tr -dc '\000-\037\177' | wc -c)" -eq 0 ]
}
evil=$(printf '\033[2J\033]0;pwn\007\bX\r李\n')

start_sim --piles 1
ctl whitelist 1 add 04A1B2C3 --holder "$evil" >/dev/null ||
	tap_bail "pilesim ctl cannot add the hostile holder"
ctl link 1 down >/dev/null 2>&1

pc whitelist list
is "$rc" 0 "whitelist_list_exits_0"
no_controls "$out"; tap $? "whitelist_list_shows_no_control_byte"
like "$out" '\\x1B\[2J' "whitelist_list_shows_the_escape_as_text"
like "$out" '李' "whitelist_list_keeps_chinese"

pc whitelist export
no_controls "$(printf '%s' "$out" | tr -d '\n')"; tap $? "whitelist_csv_on_stdout_shows_no_control_byte"

ctl plug 1 >/dev/null && ctl swipe 1 04A1B2C3 >/dev/null &&
    ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null || echo "# charge failed"
pc status
no_controls "$out$err"; tap $? "status_shows_no_control_byte"

pc logs pull
is "$rc" 0 "logs_pull_exits_0"
pc logs list
no_controls "$out$err"; tap $? "logs_list_shows_no_control_byte"
pc logs export --format csv
no_controls "$out"; tap $? "logs_csv_on_stdout_shows_no_control_byte"
like "$out" '\\x1B' "logs_csv_shows_the_escape_as_text"

# Messages quote what they were given (a path here, a pile's serial in the
# same way): the one renderer of events and errors shows them as text.
run -p "$tmp/$(printf '\033[2J\bx')" status
no_controls "$out$err"; tap $? "an_error_naming_a_hostile_path_shows_no_control_byte"
like "$err" '\\x1B\[2J\\x08x' "an_error_shows_the_escape_as_text"
run -p "$tmp/$(printf '\033[2J\bx')" whitelist export
no_controls "$out$err"; tap $? "a_failed_command_outside_the_jobs_shows_no_control_byte"

done_testing
