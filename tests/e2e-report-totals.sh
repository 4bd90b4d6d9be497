#!/bin/sh
# 'logs report' adds up exactly what 'logs export' writes: sessions over
# several tariff periods, cards and piles; per group and in total, energy
# and money per period equal the sums of the exported records. A record
# missing from the archive is flagged in the report and in the export
# (seq_gap_before), never bridged.
. "$top_srcdir/tests/e2e-lib.sh"
command -v sqlite3 >/dev/null 2>&1 || tap_skip_all "sqlite3 is not installed"
# 2023-11-15 07:40 UTC: sessions cross valley/peak, flat/sharp, peak/valley.
start_sim --piles 2 --frozen-clock --clock 1700034000
ctl tariff set 7 --energy $TEST_ENERGY --service $TEST_SERVICE --slots $TEST_SLOTS >/dev/null
for a in 1 2; do
	ctl link $a down >/dev/null
	for c in 04BE4C01 04BE4C02 04BE4C03; do ctl whitelist $a add $c >/dev/null; done
done
session() {	# session ADDR CARD WATTS SECONDS
	ctl swipe "$1" "$2" >/dev/null && ctl plug "$1" >/dev/null &&
	    ctl power "$1" "$3" >/dev/null && ctl advance "$4" >/dev/null &&
	    ctl unplug "$1" >/dev/null
}
session 1 04BE4C01 7000 2400	# 07:40-08:20 valley, peak
session 2 04BE4C02 11000 1800
ctl advance 10800 >/dev/null	# 11:50
session 1 04BE4C02 7000 1200	# 11:50-12:10 flat, sharp
session 2 04BE4C03 22000 1500
ctl advance 29700 >/dev/null	# 20:50
session 1 04BE4C03 3500 1800
session 2 04BE4C01 7000 1800
ok "pull_pile_1" pc -a 1 logs pull
ok "pull_pile_2" pc -a 2 logs pull
ok "export" pc logs export --format jsonl -o "$tmp/r.jsonl"

# sums BY: the report's groups as the export's records add them up
sums() {
	/usr/bin/python3 - "$tmp/r.jsonl" "$1" <<'PY'
import json, sys, time
rows = [json.loads(l) for l in open(sys.argv[1])]
by = sys.argv[2]
P = ["sharp", "peak", "flat", "valley"]
def key(r):
    if by == "card": return r["card_uid"]
    if by == "pile": return r["pile"]
    return r["start"][:10]
g = {}
for r in rows:
    s = g.setdefault(key(r), [0, [0] * 4, [0] * 4, [0] * 4, 0])
    s[0] += 1
    for i, p in enumerate(P):
        s[1][i] += r["energy_wh_" + p]
        s[2][i] += r["energy_fee_" + p]
        s[3][i] += r["service_fee_" + p]
    s[4] += r["total_fee_minor"]
for k in sorted(g):
    print(k, g[k][0], g[k][1], g[k][2], g[k][3], g[k][4])
print("periods_used", sum(1 for i in range(4) if sum(v[1][i] for v in g.values()) > 0))
PY
}
report() {
	TZ=America/Los_Angeles pc --json logs report --by "$1" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
gs = r["groups"]
for g in sorted(gs, key=lambda g: g["key"]):
    print(g["key"], g["sessions"], g["energy_wh"], g["energy_fee_minor"], g["service_fee_minor"], g["fee_minor_total"])
print("periods_used", sum(1 for i in range(4) if r["total"]["energy_wh"][i] > 0))'
}
is "$(sums pile | tail -n 1)" "periods_used 4" "the_sessions_use_all_four_periods"
for by in card pile day; do
	is "$(report $by)" "$(sums $by)" "report_by_${by}_equals_the_sums_of_the_exported_records"
done
tot=$(pc --json logs report --by pile)
is "$(echo "$tot" | jget total.fee_minor_total) $(echo "$tot" | jget total.sessions)" \
    "$(/usr/bin/python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(sum(x["total_fee_minor"] for x in r), len(r))' "$tmp/r.jsonl")" \
    "report_total_equals_the_export_total"

# ---- a record missing from the archive -------------------------------------
sqlite3 "$tmp/archive.db" "DELETE FROM records WHERE serial = 'SIM-0001' AND seq = 2"
like "$(pc logs report --by pile 2>&1)" "SIM-0001: seq 2..2 missing" "report_flags_the_missing_record"
pc logs export --format jsonl --pile SIM-0001 -o "$tmp/g.jsonl" 2>/dev/null
is "$(/usr/bin/python3 -c 'import json,sys; print(" ".join("%d:%d" % (r["seq"], r["seq_gap_before"]) for r in map(json.loads, open(sys.argv[1]))))' "$tmp/g.jsonl")" \
    "1:0 3:1" "export_flags_the_gap_before_the_next_record"
done_testing
