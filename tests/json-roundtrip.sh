#!/bin/sh
# json-roundtrip.sh - text from the pile holding '"', '\' and a control byte
# (a card holder's name: pilesim's serials are fixed) comes out of every
# --json output that shows it as valid JSON that python's json module reads
# back to the same text: whitelist list, whitelist add, status, logs list.
. "$top_srcdir/tests/batch-lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "1..0 # SKIP no python3"; exit 0; }
holder=$(printf 'a"b\\c\001d')

# back FIELD: reads $out as JSON (or JSON Lines: the first line) and prints
# FIELD (dotted path) with its bytes escaped by python, or "invalid".
back() {
	printf '%s' "$out" | python3 -c '
import json, sys
text = sys.stdin.read()
try:
    v = json.loads(text.splitlines()[0] if sys.argv[2] == "lines" else text)
except Exception as e:
    print("invalid: %s" % e); sys.exit(0)
for k in sys.argv[1].split("."):
    v = v[int(k)] if k.isdigit() else v[k]
print(ascii(v))' "$1" "${2:-one}"
}
want=$(python3 -c 'print(ascii("a\"b\\c\x01d"))')

start_sim --piles 1
pc whitelist add 04A1B2C3 --holder "$holder" --json
is "$rc" 0 "whitelist_add_with_quote_backslash_control_exits_0"
is "$(back holder)" "$want" "whitelist_add_json_round_trips_the_holder"

pc whitelist list --json
is "$(back entries.0.holder)" "$want" "whitelist_list_json_round_trips_the_holder"

ctl link 1 down >/dev/null 2>&1
ctl plug 1 >/dev/null && ctl swipe 1 04A1B2C3 >/dev/null || echo "# swipe failed"
pc status --json
is "$(back card.last_holder)" "$want" "status_json_round_trips_the_holder"
ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null || echo "# charge failed"

pc logs pull --json
is "$rc" 0 "logs_pull_exits_0"
pc logs list --json
is "$(back holder lines)" "$want" "logs_list_json_round_trips_the_holder"
done_testing
