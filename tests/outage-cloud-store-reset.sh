#!/bin/sh
# The cloud keeps records exactly once by pile serial, store identity and
# seq: a pile whose store was reset numbers from 1 again under a new
# live.store_id, and its new records are not taken for the old ones the
# cloud received from an export; the old ones, imported again, are still
# found held (a line without store_id is matched by its bytes).
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --frozen-clock

pc whitelist add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
ctl sessions 1 04A1B2C3 3 >/dev/null
ok "pull_the_first_store" pc logs pull
ok "export_it" pc logs export --format csv -o "$tmp/first.csv"

like "$(ctl store reset 1)" "numbering starts at 1 again" "the_store_is_reset"
ctl power 1 3700 >/dev/null	# other energy: other bytes under the same seq
ctl sessions 1 04A1B2C3 2 >/dev/null

out=$(ctl cloud import "$tmp/first.csv" --json)
is "$(echo "$out" | jget received)" 3 "the_first_store_comes_in_by_its_export"

ctl link 1 up >/dev/null
n=0
while [ $n -lt 100 ] && [ "$(pc --json status | jget unsynced)" != 0 ]; do
	sleep 0.1
	n=$((n + 1))
done
is "$(pc --json status | jget unsynced)" 0 "the_new_store_resyncs"
is "$(ctl cloud stats --json | jget duplicates)" 0 \
    "its_seq_1_and_2_are_not_taken_for_the_first_stores"
ctl cloud records --json >"$tmp/cloud.json"
is "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r), sorted(x["seq"] for x in r))' "$tmp/cloud.json")" \
    "5 [1, 1, 2, 2, 3]" "the_cloud_holds_both_series"
is "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len({x["store_id"] for x in r if x["via"] == "resync"}))' "$tmp/cloud.json")" \
    1 "resync_names_one_store"

out=$(ctl cloud import "$tmp/first.csv" --json)
is "$(echo "$out" | jget duplicates)" 3 "the_first_store_imported_again_is_found_held"
is "$(echo "$out" | jget refused)" 0 "and_nothing_is_refused"
done_testing
