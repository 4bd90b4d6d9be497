#!/bin/sh
# site-sync.sh - `pilecon whitelist sync --all`: one list to 10 piles staged
# by broadcast and committed per pile with matching digests; the same with
# lost frames (missing chunks sent again, counted); a pile powered off
# mid-transfer keeps its old list and is reported; without a key no commit
# is taken; a list drifted on one pile (100 cards added, removed, blocked by
# another tool) is found through the bucket digests and fixed alone.
. "$top_srcdir/tests/batch-lib.sh"

cards() {	# cards N BASE: N cards from BASE (hex), sorted
	python3 -c '
import sys
n, base = int(sys.argv[1]), int(sys.argv[2], 16)
print("uid,status,expires,holder")
for i in range(n):
    print("%08X,accepted,,holder %d" % (base + 13 * i, i))' "$@"
}
site() { pc -b 921600 --timeout 300 --retries 4 whitelist sync --all "$@" --addresses 1-10 --json; }
pj() { printf '%s' "$out" | jget "$1"; }
# Count and version of pile N as pilesim holds them.
held() { ctl stage "$1" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["whitelist_count"], d["whitelist_version"])'; }

cards 2000 20000000 >"$tmp/a.csv"
cards 2000 40000000 >"$tmp/b.csv"
cards 2000 60000000 >"$tmp/c.csv"
# The bus at the rate pilecon uses: pilesim garbles a master at another.
start_sim --piles 10 --baud 921600

# ---- the plan ----
site "$tmp/a.csv" --dry-run
is "$rc" 0 "dry_run_exits_0"
is "$(pj mode),$(pj staged_piles),$(pj chunks),$(pj broadcasts)" "plan,10,500,0" \
	"dry_run_plans_500_chunks_for_10_piles_and_sends_none"
is "$(held 1)" "0 0" "dry_run_changes_no_list"

# ---- 10 piles, 2,000 cards ----
site "$tmp/a.csv"
is "$rc" 0 "site_sync_exits_0"
printf '%s' "$out" >"$tmp/a.json"
is "$(pj broadcasts)" 500 "each_chunk_is_broadcast_once"
ok=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for p in d["piles"] if p["ok"] and p["how"] == "stage" and p["digest"] == d["digest"] and p["count"] == 2000))' "$tmp/a.json")
is "$ok" 10 "all_10_piles_committed_with_the_lists_digest"
all=$(for a in 1 2 3 4 5 6 7 8 9 10; do held $a; done | sort -u)
is "$all" "2000 1" "pilesim_holds_2000_cards_at_version_1_on_every_pile"
pc -b 921600 -a 7 whitelist export -o "$tmp/7.csv"
cmp -s "$tmp/7.csv" "$tmp/a.csv"
tap $? "a_committed_list_reads_back_byte_exact"

# ---- no key: no session, no commit ----
run -p "$tmp/sim/bus" -b 921600 --keys /nonexistent whitelist sync --all "$tmp/b.csv" --addresses 1-10 --json
isnt_ok=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for p in d["piles"] if not p["ok"]))')
is "$rc,$isnt_ok" "1,10" "without_a_key_every_commit_is_refused_and_reported"
is "$(held 4)" "2000 1" "and_no_list_changed"

# ---- drift on pile 3: 33 added, 33 removed, 34 blocked by another tool ----
python3 - "$tmp/a.csv" "$tmp/drift.sh" <<'PY'
import sys
rows = open(sys.argv[1]).read().split("\n")[1:-1]
uids = [r.split(",")[0] for r in rows]
with open(sys.argv[2], "w") as f:
    for i in range(33):
        f.write("ctl whitelist 3 add %08X >/dev/null\n" % (0x7E000000 + i))
        f.write("ctl whitelist 3 remove %s >/dev/null\n" % uids[i * 50])
    for i in range(34):
        f.write("ctl whitelist 3 add %s --blocked --holder 'holder %d' >/dev/null\n" % (uids[i * 50 + 25], i * 50 + 25))
PY
. "$tmp/drift.sh"
site "$tmp/a.csv"
is "$rc" 0 "sync_after_drift_exits_0"
printf '%s' "$out" | jget piles.2 >"$tmp/p3.json"
is "$(jget how <"$tmp/p3.json"),$(jget mode <"$tmp/p3.json")" "diff,buckets" \
	"the_drifted_pile_is_diffed_through_bucket_digests"
is "$(jget add <"$tmp/p3.json") $(jget remove <"$tmp/p3.json") $(jget change <"$tmp/p3.json")" \
	"33 33 34" "exactly_the_100_differences_are_found"
is "$(jget digest <"$tmp/p3.json"),$(jget ok <"$tmp/p3.json")" "$(pj digest),true" \
	"and_fixed_to_the_lists_digest"
is "$(pj broadcasts)" 0 "nothing_is_broadcast_for_one_drifted_pile"
others=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(set(p["how"] for p in d["piles"] if p["address"] != 3)))')
is "$others" "['none']" "the_other_piles_already_hold_it"
reads=$(jget read <"$tmp/p3.json")
[ "$reads" -lt 1000 ]
tap $? "only_the_differing_buckets_are_read ($reads of 2000 entries)"

# ---- a pile powered off mid-transfer keeps its old list ----
(pc -b 921600 --timeout 300 --retries 1 whitelist sync --all "$tmp/b.csv" --addresses 1-10 --json
 echo "$rc" >"$tmp/off.rc"; printf '%s' "$out" >"$tmp/off.json") &
bg=$!
i=0
until [ "$(ctl stage 5 --json | jget received)" -gt 50 ] 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
done
ctl mains 5 off >/dev/null
wait $bg
is "$(cat "$tmp/off.rc")" 3 "a_pile_without_power_fails_the_sync_as_no_answer"
r5=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["piles"][4]; print(p["ok"], "error" in p)' "$tmp/off.json")
is "$r5" "False True" "the_pile_without_power_is_reported"
okn=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for p in d["piles"] if p["ok"]))' "$tmp/off.json")
is "$okn" 9 "the_other_9_piles_took_the_new_list"
ctl mains 5 on >/dev/null
is "$(held 5)" "2000 1" "the_pile_powered_off_keeps_its_old_list"
is "$(ctl stage 5 --json | jget received)" 0 "and_its_staging_area_is_gone"
site "$tmp/b.csv"
is "$rc,$(pj staged_piles)" "0,1" "the_next_sync_stages_only_for_the_pile_that_missed_it"

# ---- lost frames: 5 % of broadcast frames lost on the line, and pile 3
# missing 5 % of what it should hear: chunks missed by several piles go out
# again, the rest to single piles, counted. (Plain --drop also loses
# replies, and a lost answer to auth.response costs a wrong-key lockout in
# pile/auth.c: not this test's subject.) ----
sim_stop
start_sim --piles 10 --baud 921600 --drop-broadcast 0.05 --drop-pile 3:0.05 --seed 7
site "$tmp/c.csv"
is "$rc" 0 "with_5_percent_of_frames_lost_the_sync_exits_0"
okn=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for p in d["piles"] if p["ok"] and p["digest"] == d["digest"]))')
is "$okn" 10 "every_pile_committed_with_the_lists_digest"
again=$(( $(pj rebroadcast) + $(pj resent) ))
[ "$again" -gt 0 ]
tap $? "lost_chunks_were_sent_again_and_counted (again $(pj rebroadcast), to single piles $(pj resent))"
is "$(printf '%s' "$out" | jget piles.2.resent | sed 's/^[1-9][0-9]*$/some/')" some \
	"chunks_pile_3_alone_missed_were_sent_to_it_alone"
ctl line show >"$tmp/line"
like "$(cat "$tmp/line")" "dropped_broadcasts [1-9]" "the_line_really_lost_broadcast_frames"

# ---- a mixed bus: pile 3 speaks 1.0, so it gets per-pile writes ----
sim_stop
rm -rf "$tmp/sim" "$tmp/state"
start_sim --piles 4 --protocol 3:1.0 --baud 921600
pc -b 921600 whitelist sync --all "$tmp/a.csv" --addresses 1-4 --dry-run
like "$out" "pile SIM-0003 at address 3: per-pile \(protocol 1.0 \(no staging\): per-pile writes\)" \
	"the_plan_says_a_1_0_pile_falls_back_to_per_pile_writes"
like "$out" "broadcast once to 3 piles" "and_stages_for_the_three_1_1_piles"
pc -b 921600 whitelist sync --all "$tmp/a.csv" --addresses 1-4 --json
okn=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for p in d["piles"] if p["ok"] and p["digest"] == d["digest"]), d["piles"][2]["how"])')
is "$rc,$okn" "0,4 per-pile" "a_mixed_bus_ends_with_every_pile_holding_the_list"

# ---- provision: piles that want the same list share one transfer ----
cat >"$tmp/site.yaml" <<YAML
defaults:
  whitelist_csv: b.csv
piles:
  - address: 1
  - address: 2
  - address: 3
  - address: 4
YAML
pc -b 921600 provision "$tmp/site.yaml" --dry-run
like "$out" "staged: staged by broadcast" "provision_plans_staging_for_1_1_piles"
like "$out" "per-pile writes" "provision_says_the_1_0_pile_gets_per_pile_writes"
pc -b 921600 provision "$tmp/site.yaml" --json
modes=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s:%s" % (p["whitelist"]["mode"], p["result"]) for p in d["piles"]))')
is "$rc,$modes" "0,staged:ok staged:ok cached:ok staged:ok" "provision_stages_commits_and_verifies_each_pile"
is "$(held 2)" "2000 2" "a_provisioned_pile_holds_the_new_list"

# ---- two entries with the same CRC-16 in one bucket: the bucket digests
# cannot tell them apart, the whole-list digest can; the sync then reads
# the list whole ----
printf 'uid,status,expires,holder\n0C0C0C0C,accepted,,holder a\n' >"$tmp/d.csv"
pc -b 921600 -a 4 whitelist sync "$tmp/d.csv"
ctl whitelist 4 add 0C0C0C0C --holder "holder b62958" >/dev/null	# same CRC-16
pc -b 921600 -a 4 whitelist sync "$tmp/d.csv" --json
is "$rc,$(pj mode)" "0,read" "a_difference_the_buckets_miss_is_found_by_reading_the_list"
like "$(pj why)" "missed a difference" "and_said"
pc -b 921600 -a 4 whitelist export -o "$tmp/d-back.csv"
cmp -s "$tmp/d-back.csv" "$tmp/d.csv"
tap $? "the_pile_ends_with_the_files_list"

done_testing
