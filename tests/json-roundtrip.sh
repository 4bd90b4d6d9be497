#!/bin/sh
# json-roundtrip.sh - text from the pile holding '"', '\' and a control byte
# (a card holder's name, then the pile's serial: pilesim --serial) comes out
# of every --json output that shows it as valid JSON that python's json
# module reads back to the same text: each batch command's --json, the
# archive's JSON Lines export and pilesim ctl's JSON.
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

# ---- the serial: in every --json output ---------------------------------
sim_stop
rm -rf "$tmp/sim" "$tmp/archive.db"
serial=$(printf 'S"1\\x\001y')
start_sim --piles 1 --serial "1:$serial"
swant=$(python3 -c 'print(ascii("S\"1\\x\x01y"))')

# holds NAME: every line of $out (one document, or JSON Lines) is valid JSON
# and some string in it reads back as the serial.
holds() {
	got=$(printf '%s' "$out" | python3 -c '
import json, sys
want = "S\"1\\x\x01y"
text = sys.stdin.read()
docs = []
try:
    docs = [json.loads(text)]
except Exception:
    try:
        docs = [json.loads(l) for l in text.splitlines() if l.strip()]
    except Exception as e:
        print("invalid: %s" % e); sys.exit(0)
def walk(v):
    if isinstance(v, dict):
        return any(walk(x) for x in v.values())
    if isinstance(v, list):
        return any(walk(x) for x in v)
    return v == want
print("holds" if docs and any(walk(d) for d in docs) else "missing: %s" % ascii(text[:200]))')
	is "$got" holds "$1"
}

printf 'uid,status,expires,holder\n04A1B2C3,accepted,,a\n04A1B2C4,accepted,,b\n' >"$tmp/cards.csv"
printf 'piles:\n  - address: 1\n    clock_sync: true\n' >"$tmp/prov.yaml"

pc status --json; holds status_json_round_trips_the_serial
pc tariff show --json; holds tariff_show_json_round_trips_the_serial
pc scan --to 1 --json; holds scan_json_round_trips_the_serial
pc whitelist add 04A1B2C3 --json; holds whitelist_add_json_round_trips_the_serial
is "$rc" 0 "a_write_authenticates_with_the_key_made_for_the_serial"
pc whitelist block 04A1B2C3 --json; holds whitelist_block_json_round_trips_the_serial
pc whitelist remove 04A1B2C3 --json; holds whitelist_remove_json_round_trips_the_serial
pc --json whitelist import "$tmp/cards.csv"; holds whitelist_import_json_round_trips_the_serial
pc whitelist sync "$tmp/cards.csv" --dry-run --json; holds whitelist_sync_plan_json_round_trips_the_serial
pc whitelist sync "$tmp/cards.csv" --full --json; holds whitelist_sync_json_round_trips_the_serial
pc whitelist sync --all "$tmp/cards.csv" --addresses 1 --json
holds whitelist_sync_all_json_round_trips_the_serial
pc whitelist list --json; holds whitelist_list_json_round_trips_the_serial
pc --json whitelist export; holds whitelist_export_json_round_trips_the_serial
pc offline on --for 1h --json; holds offline_on_json_round_trips_the_serial
pc offline off --json; holds offline_off_json_round_trips_the_serial
pc clock set --json; holds clock_set_json_round_trips_the_serial
pc provision "$tmp/prov.yaml" --json; holds provision_json_round_trips_the_serial

ctl link 1 down >/dev/null 2>&1
ctl plug 1 >/dev/null && ctl swipe 1 04A1B2C4 >/dev/null || echo "# swipe failed"
ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null || echo "# charge failed"
ctl link 1 up >/dev/null 2>&1
pc logs pull --json; holds logs_pull_json_round_trips_the_serial
pc logs list --json; holds logs_list_json_round_trips_the_serial
pc logs export --format jsonl; holds logs_export_jsonl_round_trips_the_serial
pc resync --json; holds resync_json_round_trips_the_serial
out=$(ctl pile status 1 --json); holds pilesim_ctl_status_json_round_trips_the_serial
out=$(ctl pile records 1 --json); holds pilesim_ctl_records_json_round_trips_the_serial
out=$(ctl cloud records --json); holds pilesim_ctl_cloud_records_json_round_trips_the_serial
done_testing
