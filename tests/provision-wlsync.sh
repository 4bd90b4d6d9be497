#!/bin/sh
# provision-wlsync.sh - `pilecon whitelist sync`: exact CSV round trip (UTF-8
# holders, Chinese included), differential writes from the record of the last
# sync, a list changed behind pilecon's back read again and ended equal, the
# record kept only once the pile took the list, and "out of storage" end to
# end when a pile is full.
. "$top_srcdir/tests/provision-lib.sh"

start_sim --piles 2 --wl-capacity 50
cards=$DATA/prov-cards.csv
state=$XDG_STATE_HOME/pilecon/whitelist/SIM-0001.csv
wlv() { pstate "${1:-1}" | sed 's/^wl=\([0-9]*\)\/\([0-9]*\).*/\1 \2/'; }

# ---- first sync: the pile's list is read (empty), everything added ----
pc whitelist sync "$cards" --json
is "$rc" 0 "first_sync_exits_0"
printf '%s' "$out" >"$tmp/s.json"
is "$(jget mode <"$tmp/s.json")" "buckets" "first_sync_compares_the_piles_bucket_digests"
is "$(jget add <"$tmp/s.json"),$(jget commands <"$tmp/s.json")" "40,10" "first_sync_adds_40_in_10_commands"
is "$(wlv)" "10 40" "version_is_set_by_the_last_command"
pc whitelist export -o "$tmp/export.csv"
cmp -s "$tmp/export.csv" "$cards"
tap $? "csv_round_trip_is_byte_exact_with_utf8_holders"
like "$(cat "$tmp/export.csv")" '"车队, ""A"" 组"' "quoted_chinese_holder_survives"
like "$(head -1 "$state")" "version 10 digest $(jget digest <"$tmp/s.json")" \
	"record_holds_the_version_and_digest_the_pile_accepted"

# ---- nothing to do ----
pc whitelist sync "$cards" --json
is "$(printf '%s' "$out" | jget mode),$(printf '%s' "$out" | jget commands)" "none,0" \
	"same_list_again_writes_nothing"
is "$(wlv)" "10 40" "same_list_again_keeps_the_version"

# ---- 2 changed, 1 added, 1 removed: from the record, no read ----
sed -e 's/^04A10000,accepted,,张三$/04A10000,blocked,,张三/' \
    -e 's/^04A10061,accepted,2027-12-31,李四$/04A10061,accepted,2029-01-01,李四/' \
    -e '/^04A10123,/d' "$cards" >"$tmp/edit.csv"
echo '0FFFFFFF,accepted,,新卡' >>"$tmp/edit.csv"
pc whitelist sync "$tmp/edit.csv" --json
printf '%s' "$out" >"$tmp/s.json"
is "$(jget mode <"$tmp/s.json")" "cached" "sync_after_our_own_sync_uses_the_record"
is "$(jget read <"$tmp/s.json")" 0 "cached_sync_reads_no_entry"
is "$(jget add <"$tmp/s.json") $(jget change <"$tmp/s.json") $(jget remove <"$tmp/s.json")" \
	"1 2 1" "cached_sync_counts_the_diff"
is "$(jget commands <"$tmp/s.json")" 2 "one_remove_and_one_upsert_command"
is "$(wlv)" "12 40" "diff_sync_version"
pc whitelist export
is "$out" "$(sort -t, -k1,1 "$tmp/edit.csv" | awk 'NR==1 || !/^uid,/' | { echo 'uid,status,expires,holder'; grep -v '^uid,'; })" \
	"diff_sync_ends_equal_to_the_file"

# ---- drift: someone else edits the list ----
ctl whitelist 1 add 0DDDDDDD >/dev/null
pc whitelist sync "$tmp/edit.csv" --json
printf '%s' "$out" >"$tmp/s.json"
is "$(jget mode <"$tmp/s.json")" "buckets" "drift_is_found_through_the_bucket_digests"
like "$(jget why <"$tmp/s.json")" "changed elsewhere" "drift_is_explained"
is "$(jget read <"$tmp/s.json")" 1 "drift_reads_only_the_differing_bucket"
is "$(jget remove <"$tmp/s.json"),$(jget add <"$tmp/s.json")" "1,0" "drift_removes_only_the_stranger"
pc whitelist sync "$tmp/edit.csv" --json
is "$(printf '%s' "$out" | jget mode)" "none" "after_drift_the_pile_equals_the_file"

# ---- full rewrite ----
pc whitelist sync "$tmp/edit.csv" --full --json
printf '%s' "$out" >"$tmp/s.json"
is "$(jget mode <"$tmp/s.json"),$(jget commands <"$tmp/s.json")" "full,11" "full_rewrite_is_clear_plus_10_upserts"
pc whitelist export
is "$(printf '%s\n' "$out" | wc -l)" 41 "full_rewrite_ends_with_the_40_cards"

# ---- explicit version ----
pc whitelist sync "$tmp/edit.csv" --version 500 --json
is "$(printf '%s' "$out" | jget commands)" 1 "version_only_is_one_command"
is "$(wlv)" "500 40" "explicit_version_is_set"

# ---- the record is kept only when the pile took the list ----
cp "$state" "$tmp/state.before"
ctl line busy 1 on >/dev/null
pc whitelist sync "$cards"
is "$rc" 4 "sync_to_a_busy_pile_fails"
ctl line busy 1 off >/dev/null
cmp -s "$state" "$tmp/state.before"
tap $? "failed_sync_leaves_the_record_alone"
pc whitelist sync "$cards"
is "$rc" 0 "sync_after_the_failure_succeeds"

# ---- capacity: 50 entries here ----
python3 -c '
print("uid,status,expires,holder")
for i in range(51): print("%08X,accepted,," % (0x30000000 + i))' >"$tmp/51.csv"
pc -a 2 whitelist sync "$tmp/51.csv"
is "$rc" 2 "list_bigger_than_the_pile_is_bad_input"
like "$err" "the list has 51 cards but pile 'SIM-0002' \(address 2\) holds at most 50 \(identity.whitelist_capacity\): out of storage" \
	"out_of_storage_is_said_before_writing"
is "$(wlv 2)" "0 0" "nothing_written_to_the_small_pile"
pc -a 2 whitelist import "$tmp/51.csv"
is "$rc" 2 "import_into_a_full_pile_is_bad_input"
like "$err" "adds 51 new cards to the 0 of SIM-0002, which holds at most 50.*nothing imported" \
	"import_that_cannot_fit_is_refused_before_writing"
is "$(wlv 2 | cut -d' ' -f2)" 0 "refused_import_wrote_nothing"
# The same list in a provisioning file: refused as bad input before any
# pile is written.
before=$(all_states 2)
printf 'defaults:\n  whitelist_csv: %s\npiles:\n  - address: 1\n  - address: 2\n' "$tmp/51.csv" >"$tmp/big.yaml"
for dry in --dry-run ""; do
	pc provision "$tmp/big.yaml" $dry
	is "$rc" 2 "provision_of_a_list_bigger_than_a_pile_is_bad_input${dry:+_dry_run}"
	like "$out" "pile SIM-0002 at address 2: cannot plan: the list has 51 cards but pile 'SIM-0002' \(address 2\) holds at most 50" \
		"provision_plan_names_the_pile_too_small${dry:+_dry_run}"
	like "$err" "gives 2 piles a whitelist bigger than they hold: nothing was written to any pile" \
		"provision_says_nothing_was_written${dry:+_dry_run}"
	unlike "$out" "provisioned 0 of" "provision_refusal_is_no_result_table${dry:+_dry_run}"
done
is "$(all_states 2)" "$before" "refused_provision_wrote_nothing"
pc provision "$tmp/big.yaml" --json
is "$(printf '%s' "$out" | jget refused)" "true" "provision_json_says_refused"
# ... and sent to the whole bus: nothing broadcast, nothing committed.
for dry in --dry-run ""; do
	pc whitelist sync --all "$tmp/51.csv" --addresses 1-2 $dry
	is "$rc" 2 "site_sync_of_a_list_bigger_than_a_pile_is_bad_input${dry:+_dry_run}"
	like "$err" "the list of 51 cards is bigger than 2 piles hold \(see above\): nothing was sent to any pile" \
		"site_sync_says_nothing_was_sent${dry:+_dry_run}"
done
is "$(all_states 2)" "$before" "refused_site_sync_wrote_nothing"

head -n 51 "$tmp/51.csv" >"$tmp/50.csv"
pc -a 2 whitelist import "$tmp/50.csv"
is "$rc" 0 "import_that_fills_the_pile_exactly_exits_0"
pc -a 2 whitelist add 3FFFFFFF
is "$rc" 4 "add_to_a_full_pile_is_refused"
like "$err" "refused the whitelist command 'add or update': out of storage: the whitelist is full" \
	"the_pile_says_out_of_storage_end_to_end"

done_testing
