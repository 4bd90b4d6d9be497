#!/bin/sh
# text-hostile.sh - text from the pile (a card holder's name, the pile's
# serial, a session tag) holding terminal escapes never reaches the
# technician's terminal raw: every batch command's text output (stdout and
# stderr) that shows it holds no C0 control byte but newline and tab, no
# DEL and no C1 control, whatever the pile sent. (json-roundtrip.sh is the
# --json side of the same strings.)
. "$top_srcdir/tests/batch-lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP no python3"; exit 0; }

# clean NAME: $out and $err hold no raw control bytes, and the text shows
# the escaped form (so the string was printed, not left out).
clean() {
	got=$(printf '%s\n%s' "$out" "$err" | python3 -c '
import sys
b = sys.stdin.buffer.read()
bad = [c for c in b if (c < 0x20 and c not in (0x0a, 0x09)) or c == 0x7f]
t = b.decode("utf-8", "replace")
c1 = [ch for ch in t if 0x80 <= ord(ch) <= 0x9f]
if bad or c1:
    print("raw control bytes: %s" % ascii(t[:300]))
else:
    print("clean")')
	is "$got" clean "$1"
}

holder=$(printf 'ev\033]0;owned\007il\302\233m')
start_sim --piles 1
pc whitelist add 04A1B2C3 --holder "$holder"
is "$rc" 0 "whitelist_add_with_escapes_in_holder_exits_0"
clean whitelist_add_text_shows_no_raw_escape
like "$out" 'ev\\' whitelist_add_text_shows_the_holder_escaped
pc whitelist list; clean whitelist_list_text_shows_no_raw_escape
like "$out" 'ev\\' whitelist_list_text_shows_the_holder_escaped

ctl link 1 down >/dev/null 2>&1
ctl plug 1 >/dev/null && ctl swipe 1 04A1B2C3 >/dev/null || echo "# swipe failed"
pc status; clean status_text_shows_no_raw_escape_in_card_holder
like "$out" 'ev\\' status_text_shows_the_holder_escaped
ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null || echo "# charge failed"
ctl link 1 up >/dev/null 2>&1
pc logs pull; clean logs_pull_text_shows_no_raw_escape
pc logs list; clean logs_list_text_shows_no_raw_escape
like "$out" 'ev\\' logs_list_text_shows_the_holder_escaped
pc logs report; clean logs_report_text_shows_no_raw_escape

# ---- the serial -----------------------------------------------------------
sim_stop
rm -rf "$tmp/sim" "$tmp/archive.db"
serial=$(printf 'S\033[2J1')
start_sim --piles 1 --serial "1:$serial"
printf 'uid,status,expires,holder\n04A1B2C3,accepted,,a\n04A1B2C4,accepted,,b\n' >"$tmp/cards.csv"
printf 'piles:\n  - address: 1\n    clock_sync: true\n' >"$tmp/prov.yaml"

pc status; clean status_text_shows_no_raw_escape_in_serial
like "$out" 'S\\' status_text_shows_the_serial_escaped
pc tariff show; clean tariff_show_text_shows_no_raw_escape
pc scan --to 1; clean scan_text_shows_no_raw_escape
like "$out" 'S\\' scan_text_shows_the_serial_escaped
pc whitelist add 04A1B2C3; clean whitelist_add_text_serial_clean
is "$rc" 0 "a_write_authenticates_with_the_key_made_for_the_serial"
pc whitelist block 04A1B2C3; clean whitelist_block_text_serial_clean
pc whitelist remove 04A1B2C3; clean whitelist_remove_text_serial_clean
pc whitelist import "$tmp/cards.csv"; clean whitelist_import_text_serial_clean
pc whitelist sync "$tmp/cards.csv" --dry-run; clean whitelist_sync_plan_text_serial_clean
pc whitelist sync "$tmp/cards.csv" --full; clean whitelist_sync_text_serial_clean
pc whitelist sync --all "$tmp/cards.csv" --addresses 1
clean whitelist_sync_all_text_serial_clean
pc whitelist list; clean whitelist_list_text_serial_clean
pc offline on --for 1h; clean offline_on_text_serial_clean
pc offline off; clean offline_off_text_serial_clean
pc clock set; clean clock_set_text_serial_clean
pc provision "$tmp/prov.yaml"; clean provision_text_serial_clean

ctl link 1 down >/dev/null 2>&1
ctl plug 1 >/dev/null && ctl swipe 1 04A1B2C4 >/dev/null || echo "# swipe failed"
ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null || echo "# charge failed"
ctl link 1 up >/dev/null 2>&1
pc logs pull; clean logs_pull_text_serial_clean
pc logs list; clean logs_list_text_serial_clean
pc logs report; clean logs_report_text_serial_clean
pc logs verify; clean logs_verify_text_serial_clean
pc resync; clean resync_text_serial_clean
done_testing
