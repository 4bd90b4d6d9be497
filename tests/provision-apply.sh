#!/bin/sh
# provision-apply.sh - `pilecon provision` on a 10-pile simulated bus paced
# at 115200 baud: dry run writes nothing, plan/apply/verify, a second run
# changes nothing, a pile that stops answering mid-run fails alone.
. "$top_srcdir/tests/provision-lib.sh"

start_sim --piles 10 --pace --baud 115200
cp "$DATA/prov-10.yaml" "$DATA/prov-cards.csv" "$tmp/"
yaml=$tmp/prov-10.yaml

# ---- dry run ----
before=$(all_states 10)
pc provision "$yaml" --dry-run
is "$rc" 0 "dry_run_exits_0"
like "$out" "pile SIM-0001 at address 1:" "dry_run_prints_a_plan_per_pile"
like "$out" "whitelist +\+40 -0 ~0, v0 -> v10, 10 commands \(buckets: no sync" "plan_counts_whitelist_changes"
like "$out" "offline_tariff +v1 -> v20261125" "plan_shows_tariff_versions"
like "$out" "unknown_card refuse -> accept" "plan_shows_a_pile_override"
like "$out" "force_offline +online -> forced offline for 2h" "plan_shows_force_offline"
like "$out" "pile SIM-0004 at address 4:" "pile_given_by_serial_is_found_on_the_bus"
like "$out" "plan: 10 to change, 0 unchanged, 0 failed" "plan_summary"
unlike "$out" "provisioned" "dry_run_stops_after_the_plan"
is "$(all_states 10)" "$before" "dry_run_writes_nothing"

# ---- apply ----
pc provision "$yaml"
is "$rc" 0 "provision_exits_0_when_every_pile_succeeds"
like "$out" "provisioned 10 of 10 piles" "result_line_counts_piles"
like "$out" "^3 +SIM-0003 +ok " "result_table_has_a_row_per_pile"
pstate 1 >/dev/null
is "$(pstate 1)" "wl=10/40 tariff=20261125 auth=true/refuse/accept/30000 link=online" \
	"pile_1_holds_what_the_file_says"
is "$(pstate 4)" "wl=10/40 tariff=20261125 auth=true/accept/accept/30000 link=online" \
	"pile_by_serial_got_its_override"
is "$(pstate 3 | cut -d' ' -f1)" "wl=1/2" "pile_3_got_its_inline_list"
is "$(pstate 2 | sed 's/.*link=//')" "forced_offline" "pile_2_is_forced_offline"
pc -a 2 status --json
printf '%s' "$out" >"$tmp/s2.json"
left=$(( $(jget forced_until <"$tmp/s2.json") - $(jget clock <"$tmp/s2.json") ))
is "$(( left > 7100 && left <= 7200 ))" 1 "forced_offline_for_2h_of_pile_clock"
pc -a 7 whitelist export -o "$tmp/export7.csv"
cmp -s "$tmp/export7.csv" "$DATA/prov-cards.csv"
tap $? "pile_7_list_exports_byte_for_byte_as_the_csv_utf8_included"
pc -a 3 whitelist list --json
is "$(printf '%s' "$out" | jget entries.0.holder)" "张三" "inline_holder_reaches_the_pile"
pc -a 5 tariff show --json
like "$out" "20261125" "tariff_show_reads_the_new_tariff"
ls "$XDG_STATE_HOME/pilecon/whitelist/SIM-0005.csv" >/dev/null 2>&1
tap $? "sync_is_recorded_per_serial"

# ---- idempotence ----
before=$(all_states 10)
pc provision "$yaml" --json
is "$rc" 0 "second_run_exits_0"
printf '%s' "$out" >"$tmp/second.json"
is "$(jget changes <"$tmp/second.json")" 0 "second_run_plans_no_changes"
writes=$(python3 -c 'import json,sys; print(sum(p["writes"] for p in json.load(sys.stdin)["piles"]))' <"$tmp/second.json")
is "$writes" 0 "second_run_writes_nothing"
is "$(jget piles.0.whitelist.mode <"$tmp/second.json")" "none" "second_run_whitelist_mode_none"
is "$(all_states 10)" "$before" "second_run_leaves_every_pile_as_it_was"
pc provision "$yaml"
like "$out" "plan: no changes" "second_run_human_plan_says_no_changes"

# ---- a pile stops answering mid-run ----
# More cards for every pile, so the run takes seconds at 115200 baud; pile 7
# goes silent (busy) once the plan is printed, while piles 1..6 are applied.
awk 'NR > 1 { sub(/^04A1/, "05B2") } { print }' "$DATA/prov-cards.csv" >"$tmp/more.csv"
tail -n +2 "$DATA/prov-cards.csv" >>"$tmp/more.csv"
sed 's/whitelist_csv: prov-cards.csv/whitelist_csv: more.csv/' "$yaml" >"$tmp/prov-more.yaml"
timeout 120 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" provision \
	"$tmp/prov-more.yaml" >"$tmp/mid.out" 2>"$tmp/mid.err" &
pcpid=$!
i=0
until grep -q '^plan:' "$tmp/mid.out" 2>/dev/null || [ $i -gt 600 ]; do
	sleep 0.02
	i=$((i + 1))
done
ctl line busy 7 on >/dev/null
wait $pcpid
rc=$?
out=$(cat "$tmp/mid.out")
printf '%s\n' "$out" | grep -E '^[0-9]+ +SIM' | sed 's/^/# /'
is "$rc" 1 "one_failed_pile_makes_the_exit_code_non_zero"
like "$out" "^pile SIM-0007 at address 7:$" "pile_7_answered_for_the_plan_so_it_failed_mid_run"
like "$out" "^7 +SIM-0007 +failed .*busy" "failed_pile_says_why"
is "$(printf '%s\n' "$out" | grep -cE '^[0-9]+ +SIM-[0-9]+ +ok ')" 9 "the_other_piles_are_ok"
like "$out" "provisioned 9 of 10 piles" "result_line_says_9_of_10"
is "$(pstate 8 | cut -d' ' -f1)" "wl=20/80" "pile_after_the_failed_one_was_provisioned"
ctl line busy 7 off >/dev/null
pc provision "$tmp/prov-more.yaml"
is "$rc" 0 "rerun_after_the_pile_is_back_succeeds"
like "$out" "pile SIM-0001 at address 1: no changes" "rerun_leaves_done_piles_alone"
like "$out" "pile SIM-0007 at address 7:" "rerun_finishes_the_failed_pile"
is "$(pstate 7 | cut -d' ' -f1 | cut -d/ -f2)" "80" "failed_pile_ends_with_the_full_list"

# ---- a pile missing from the bus ----
printf 'piles:\n  - address: 1\n    clock_sync: true\n  - address: 12\n    clock_sync: true\n' >"$tmp/missing.yaml"
pc --timeout 100 provision "$tmp/missing.yaml"
is "$rc" 1 "missing_pile_exit_code_1"
like "$out" "pile at address 12: cannot read: no answer from address 12" "missing_pile_plan_says_no_answer"
like "$out" "^1 +SIM-0001 +ok " "present_pile_still_ok"

# ---- the file's serial guards against the wrong pile ----
printf 'piles:\n  - {address: 1, serial: SIM-0002, clock_sync: true}\n' >"$tmp/swapped.yaml"
pc provision "$tmp/swapped.yaml"
is "$rc" 1 "serial_mismatch_fails"
like "$out" "address 1 holds pile 'SIM-0001', not 'SIM-0002' as the file says \(line 2\)" \
	"serial_mismatch_says_which_pile_is_there"
printf 'piles:\n  - {serial: SIM-0099, clock_sync: true}\n' >"$tmp/absent.yaml"
pc provision "$tmp/absent.yaml" --dry-run
is "$rc" 1 "unknown_serial_fails"
like "$out" "no pile with serial 'SIM-0099' answers on .* \(addresses 1-247 scanned" \
	"unknown_serial_says_the_bus_was_scanned"

# ---- no key: the plan still works, the writes are refused up front ----
printf 'piles:\n  - address: 9\n    offline_auth: {offline_max_wh: 12345}\n' >"$tmp/nokey.yaml"
run -p "$tmp/sim/bus" provision "$tmp/nokey.yaml" --dry-run
like "$out" "offline_max_wh 30000 -> 12345" "dry_run_needs_no_key_for_the_plan"
run -p "$tmp/sim/bus" provision "$tmp/nokey.yaml"
is "$rc" 1 "apply_without_a_key_fails"
like "$out" "cannot write to pile 'SIM-0009': writes need the pile's key: give the keys file with --keys" \
	"missing_key_is_explained"
like "$out" "^  writes need the pile.s key: give the keys file" "plan_warns_about_the_missing_key"
is "$(pstate 9 | sed 's/.*auth=[a-z]*\/[a-z]*\/[a-z]*\/\([0-9]*\).*/\1/')" 30000 "nothing_written_without_a_key"

done_testing
