#!/bin/sh
# batch-pilesim.sh - pilecon's batch commands against pilesim (3 piles on a
# pseudo-terminal): status, forced offline, keys, whitelist edits and CSV
# import, log pulls that store each record once, exports, resync refusals.
. "$top_srcdir/tests/batch-lib.sh"

if [ ! -x "$PILESIM" ]; then
	echo "1..0 # SKIP pilesim is not built"
	exit 0
fi
start_sim --piles 3

# ---- status ----
before=$(date +%s)
pc status --json
after=$(date +%s)
is "$rc" 0 "status_json_exits_0"
printf '%s' "$out" >"$tmp/status.json"
j() { jget "$1" <"$tmp/status.json"; }
is "$(j serial)" "SIM-0001" "status_json_serial"
is "$(j address)" "1" "status_json_address"
is "$(j link)" "online" "status_json_link_online"
is "$(j voltage_dv.length)" "3" "status_json_three_phase_voltages"
is "$(j current_ca.length)" "3" "status_json_three_phase_currents"
for k in unsynced energy_wh power_w tariff_version clock forced_until signal_dbm \
    card.state card.last_uid card.last_result card.last_holder card.last_time \
    session.id session.source session.energy_wh session.cost_minor session.period \
    session.tariff_version session.tag whitelist.version whitelist.count \
    offline_auth.offline_charging offline_auth.unknown_card offline_auth.expired_card \
    offline_auth.offline_max_wh backend; do
	jget "$k" <"$tmp/status.json" >/dev/null 2>&1
	tap $? "status_json_has_$k"
done
clock=$(j clock)
ok_drift=$(( clock >= before - 2 && clock <= after + 2 ))
is "$ok_drift" 1 "status_clock_is_the_pile_clock"

pc -a 3 status
is "$rc" 0 "status_of_pile_3_exits_0"
like "$out" "^pile SIM-0003 at address 3" "status_human_names_pile_and_address"
like "$out" "offline auth +offline charging on; unknown cards refused" "status_human_shows_offline_auth_settings"

# ---- keys: a write without a key is refused, and says how to give one ----
run -p "$tmp/sim/bus" offline on --for 1h
is "$rc" 4 "write_without_keys_exits_4"
like "$err" "--keys" "write_without_keys_names_the_keys_option"
pc status --json
is "$(printf '%s' "$out" | jget link)" "online" "write_without_keys_changed_nothing"

# ---- forced offline ----
pc offline on --for 1h
is "$rc" 0 "offline_on_exits_0"
like "$out" "^pile SIM-0001 forced offline until [0-9-]+ [0-9:]+ \(in 1h\)$" "offline_on_says_until_when"
pc status --json
printf '%s' "$out" >"$tmp/status.json"
is "$(j link)" "forced_offline" "status_shows_forced_offline"
is "$(( $(j forced_until) - $(j clock) > 3590 && $(j forced_until) - $(j clock) <= 3600 ))" 1 \
	"forced_offline_lasts_one_hour_of_pile_clock"
pc resync
is "$rc" 4 "resync_while_forced_offline_is_refused"
like "$err" "forced offline until .*pilecon offline off" "resync_refusal_says_what_to_do"
pc offline off
is "$rc" 0 "offline_off_exits_0"
pc status --json
is "$(printf '%s' "$out" | jget link)" "online" "offline_off_brings_the_pile_back"

# ---- whitelist ----
pc whitelist add 04:a1:b2:c3 --holder "张三" --expires 2027-12-31
is "$rc" 0 "whitelist_add_exits_0"
like "$out" "accepted 04A1B2C3 \(张三\), expires 2027-12-31 23:59:59" "whitelist_add_says_what_was_added"
pc whitelist add 0A0B0C0D
pc whitelist block 04A1B2C3
is "$rc" 0 "whitelist_block_exits_0"
pc whitelist list --json
printf '%s' "$out" >"$tmp/wl.json"
is "$(jget count <"$tmp/wl.json")" 2 "whitelist_list_counts_entries"
is "$(jget entries.0.uid <"$tmp/wl.json")" "04A1B2C3" "whitelist_list_uid_normalized"
is "$(jget entries.0.status <"$tmp/wl.json")" "blocked" "whitelist_block_changes_status"
is "$(jget entries.0.holder <"$tmp/wl.json")" "张三" "whitelist_block_keeps_the_holder"
is "$(jget entries.0.expiry <"$tmp/wl.json")" 1830297599 "whitelist_block_keeps_the_expiry"
v1=$(jget version <"$tmp/wl.json")
pc whitelist remove 0A0B0C0D
is "$rc" 0 "whitelist_remove_exits_0"
pc whitelist remove 0A0B0C0D
is "$rc" 4 "whitelist_remove_of_absent_card_is_refused"
like "$err" "not found|no such card" "whitelist_remove_of_absent_card_says_so"
pc whitelist add 12345
is "$rc" 2 "whitelist_add_bad_uid_exits_2"

# A CSV with a bad line imports nothing and names file:line.
pc whitelist list --json
before=$out
cat >"$tmp/cards.csv" <<'CSV'
uid,status,expires,holder
11111111,accepted,,Alice
22222222,blocked,2027-01-01,Bob
33333333,accepted,not-a-date,Carol
44444444,accepted,,Dan
CSV
pc whitelist import "$tmp/cards.csv"
is "$rc" 2 "import_with_bad_line_exits_2"
like "$err" "cards.csv:4" "import_with_bad_line_names_file_and_line"
pc whitelist list --json
is "$out" "$before" "import_with_bad_line_writes_nothing"
sed -i 's/not-a-date//' "$tmp/cards.csv"
for i in 5 6 7 8 9; do echo "5555555$i,accepted,,Eve $i" >>"$tmp/cards.csv"; done
pc whitelist import "$tmp/cards.csv"
is "$rc" 0 "import_of_a_good_csv_exits_0"
like "$out" "imported 9 cards" "import_says_how_many"
pc whitelist list --json
is "$(printf '%s' "$out" | jget count)" 10 "import_added_every_card"
pc whitelist export -o "$tmp/export.csv"
is "$rc" 0 "whitelist_export_exits_0"
is "$(grep -c . "$tmp/export.csv")" 11 "whitelist_export_writes_header_and_every_card"
ls -A "$tmp" | grep -q '^\.export\.csv\.'
tap $((! $?)) "whitelist_export_leaves_no_temp_file"

# ---- logs ----
charge() {	# charge ADDR UID: one online session of 10 minutes
	ctl plug "$1" >/dev/null && ctl swipe "$1" "$2" >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug "$1" >/dev/null
}
for i in 1 2 3; do charge 2 04A1B2C3 || echo "# charge $i failed"; done
pc -a 2 logs pull
is "$rc" 0 "logs_pull_exits_0"
is "$(printf '%s\n' "$out" | tail -n 1)" "pulled 3 records from SIM-0002 (seq 1..3), 0 already archived" "logs_pull_summary"
is "$(printf '%s\n' "$out" | grep -c 'verified 3 signatures of SIM-0002')" 1 "logs_pull_verifies_every_signature_of_a_1_1_pile"
pc -a 2 logs pull
is "$out" "pulled 0 records from SIM-0002: the archive is up to date" "second_pull_adds_nothing"
for i in 1 2; do charge 2 04A1B2C3 || echo "# charge $i failed"; done
pc -a 2 logs pull --json
is "$(printf '%s' "$out" | jget new)" 2 "pull_resumes_after_the_last_archived_record"
is "$(printf '%s' "$out" | jget first_seq)" 4 "pull_resumes_at_the_next_seq"
pc logs list --json
is "$(printf '%s\n' "$out" | grep -c '"seq"')" 5 "archive_holds_each_record_once"
pc logs list --pile SIM-0001 --json
is "$out" "" "logs_list_filters_by_pile"
pc logs export --format csv -o "$tmp/records.csv"
is "$rc" 0 "logs_export_csv_exits_0"
is "$(grep -c '^SIM-0002,' "$tmp/records.csv")" 5 "logs_export_csv_has_every_record"
pc logs export --format jsonl
is "$(printf '%s\n' "$out" | grep -c .)" 5 "logs_export_jsonl_to_stdout"

# ---- resync, tariff, clock ----
pc -a 2 resync --wait --timeout 20
is "$rc" 0 "resync_wait_exits_0"
pc -a 2 status --json
is "$(printf '%s' "$out" | jget unsynced)" 0 "resync_wait_ends_with_nothing_unsynced"
ctl link 3 down >/dev/null
pc -a 3 resync
is "$rc" 4 "resync_without_backend_is_refused"
like "$err" "no back-end connection" "resync_without_backend_says_why"
pc tariff show --json
is "$(printf '%s' "$out" | jget periods.length)" 4 "tariff_show_has_four_periods"
like "$(printf '%s' "$out" | jget periods.0.energy_price)" "^[0-9]+\.[0-9]{5}$" "tariff_prices_have_five_decimals"
pc -a 3 clock set 2030-01-01T00:00:00Z
is "$rc" 0 "clock_set_exits_0"
pc -a 3 status --json
is "$(( $(printf '%s' "$out" | jget clock) - 1893456000 < 5 ))" 1 "clock_set_sets_the_pile_clock"

# ---- a keys file others can read is used, with a loud warning ----
cp "$tmp/sim/keys.yaml" "$tmp/open-keys.yaml"
chmod 644 "$tmp/open-keys.yaml"
run -p "$tmp/sim/bus" --keys "$tmp/open-keys.yaml" offline off
is "$rc" 0 "keys_file_readable_by_others_still_works"
like "$err" "WARNING: keys file .* can be read by other users" "keys_file_readable_by_others_is_warned"
unlike "$err$out" "$(sed -n 's/.*key: "\(.\{16\}\).*/\1/p' "$tmp/sim/keys.yaml" | head -1)" "key_is_never_printed"

# ---- no answer: an address nobody holds ----
pc -a 9 --timeout 100 --retries 0 status
is "$rc" 3 "no_answer_exits_3"
like "$err" "address 9" "no_answer_names_the_address"

pc scan --to 5 --json
is "$(printf '%s' "$out" | jget length)" 3 "scan_finds_the_three_piles"
is "$(printf '%s' "$out" | jget 2.serial)" "SIM-0003" "scan_lists_serials"

done_testing
