#!/bin/sh
# The whole long outage as one scenario: a pile of capacity 200 charges 600
# offline sessions; a technician comes every 150 sessions (logs pull
# --custody, then an export); each export goes into the cloud with `pilesim
# ctl cloud import`; then the link returns and the pile resyncs what it
# still holds. The cloud ends with all 600 records exactly once: 0 lost,
# 0 duplicated, 0 refused, and no session was refused. Frozen clock, no
# pacing. tests/soak.py runs the same story with random kills.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --frozen-clock --record-capacity 200

ok "whitelist_add" pc whitelist add 04A1B2C3
ctl link 1 down >/dev/null
refused=0
imported=0
visit=0
while [ $visit -lt 4 ]; do
	visit=$((visit + 1))
	out=$(ctl sessions 1 04A1B2C3 150 --gap 1800 --json) || break
	refused=$((refused + $(echo "$out" | jget refused)))
	pc logs pull --custody >"$tmp/pull.$visit" 2>&1 || break
	pc logs export --format csv -o "$tmp/visit$visit.csv" >/dev/null 2>&1 || break
	out=$(ctl cloud import "$tmp/visit$visit.csv" --json 2>&1)
	echo "$out" | sed "s/^/# visit $visit: /"
	[ "$(echo "$out" | jget refused)" = 0 ] || break
	imported=$((imported + $(echo "$out" | jget received)))
done
is "$visit" 4 "four_visits_each_pull_custody_export_and_import"
is "$refused" 0 "no_session_is_refused_in_600"
is "$(pc --json status | jget last_seq)" 600 "the_pile_numbered_600_records"
is "$imported" 600 "the_imports_bring_600_records_into_the_cloud"
st=$(pc --json status)
is "$(echo "$st" | jget store.held)" 200 "the_pile_still_holds_its_last_200"
is "$(echo "$st" | jget store.custody)" 200 "all_of_them_in_custody"

ctl link 1 up >/dev/null
n=0
while [ $n -lt 600 ] && [ "$(pc --json status | jget unsynced)" != 0 ]; do
	sleep 0.1
	n=$((n + 1))
done
is "$(pc --json status | jget unsynced)" 0 "the_link_returns_and_the_pile_resyncs_what_it_holds"
stats=$(ctl cloud stats --json)
is "$(echo "$stats" | jget duplicates)" 200 "resync_delivers_the_200_held_records_again"
ctl cloud records --json >"$tmp/cloud.json"
python3 - "$tmp/cloud.json" >"$tmp/counts" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))
seqs = [r["seq"] for r in recs if r["serial"] == "SIM-0001"]
print(len(seqs), len(set(seqs)), len(set(range(1, 601)) - set(seqs)))
PY
read -r total distinct lost <"$tmp/counts"
is "$total" 600 "the_cloud_holds_600_records"
is "$distinct" 600 "each_exactly_once_0_duplicated"
is "$lost" 0 "none_of_1_to_600_is_lost"
done_testing
