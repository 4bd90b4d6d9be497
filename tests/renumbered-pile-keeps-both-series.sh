#!/bin/sh
# A pile whose record numbering restarts (a replaced controller, a reset
# store, the same serial) is never reported up to date, and nothing of it is
# lost: the archive keeps its records by serial + store id + seq, so the old
# series stays and the new one is pulled from its start, even when the new
# series has already grown past the old one's last seq. A 1.1 pile says so
# by its live.store_id (pilesim's `store reset` draws a new one); a 1.0 pile
# (address 2 here) by its numbering below the archive's, or by its record at
# the archive's last seq not being the archived one. The pull says what
# happened in one message, and in --json.
. "$top_srcdir/tests/e2e-lib.sh"
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
start_sim --piles 2 --protocol 2:1.0 --frozen-clock

charge() {	# charge ADDR: one offline card session, one record
	ctl swipe "$1" 04A1B2C3 >/dev/null
	ctl plug "$1" >/dev/null
	ctl advance 600 >/dev/null
	ctl unplug "$1" >/dev/null
}
charges() { n=$2; while [ "$n" -gt 0 ]; do charge "$1"; n=$((n - 1)); done; }
count() {	# count [--pile SERIAL]: records in the archive
	pc logs list --json "$@" | grep -c '"seq"'
}
for a in 1 2; do
	ctl whitelist $a add 04A1B2C3 >/dev/null
	ctl link $a down >/dev/null
done
s1=$(pc --json status | jget serial)
s2=$(pc -a 2 --json status | jget serial)

# ---- 1.1: the store id says it ----------------------------------------------
charges 1 3
ok "first_pull" pc logs pull
id1=$(pc --json status | jget store.store_id)
[ -n "$id1" ] && [ "$id1" != 0 ]
tap $? "status_shows_the_store_id"
like "$(pc status)" "store id +$id1" "status_shows_the_store_id_in_decimal"

like "$(ctl store reset 1)" 'numbering starts at 1 again' "store_reset_over_the_control_channel"
charges 1 5	# past the old series' last seq (3): the known hole
id2=$(pc --json status | jget store.store_id)
[ "$id2" != "$id1" ] && [ "$id2" != 0 ]
tap $? "a_reset_store_has_a_new_store_id"
is "$(pc --json status | jget last_seq)" 5 "the_new_series_is_past_the_old_last_seq"

pc --json logs pull >"$tmp/pull.json" 2>"$tmp/pull.err"
is "$?" 0 "pull_of_a_renumbered_pile_succeeds"
grep -q 'up to date' "$tmp/pull.json" "$tmp/pull.err"
tap $((!$?)) "a_renumbered_pile_is_not_reported_up_to_date"
like "$(cat "$tmp/pull.err")" "$s1 has a new record store \\(store id $id2, the archive's last was $id1" \
    "pull_says_what_happened"
is "$(grep -c 'new record store' "$tmp/pull.err")" 1 "said_once"
is "$(jget new_series.reason <"$tmp/pull.json")" store_id_changed "json_says_why"
is "$(jget new_series.previous_last_seq <"$tmp/pull.json")" 3 "json_names_the_old_series_end"
is "$(jget new <"$tmp/pull.json")" 5 "the_new_series_is_pulled_from_its_start"
is "$(count --pile "$s1")" 8 "both_series_kept_0_records_lost"
is "$(pc logs list --json --pile "$s1" | grep -c "\"store_id\":$id1,")" 3 "old_series_under_its_store_id"
is "$(pc logs list --json --pile "$s1" | grep -c "\"store_id\":$id2,")" 5 "new_series_under_its_store_id"
like "$(pc logs list --pile "$s1")" "a new record series starts here \\(store id $id2\\)" \
    "list_shows_where_the_series_restarts"
like "$(pc logs pull)" "pulled 0 records from $s1: the archive is up to date" \
    "next_pull_is_up_to_date"
charge 1
like "$(pc logs pull)" "pulled 1 records from $s1 \\(seq 6\\.\\.6\\)" "resume_cursor_is_per_series"
# Custody names the new series' records, hashed from the archive's copy of
# that series (the old series' seq 1..3 would not match the pile's).
like "$(pc logs pull --custody)" "handed records 1\\.\\.6 of $s1 into custody" \
    "custody_hands_over_the_new_series"

# Exports: store_id column (decimal, as status shows it), both series, and
# logs verify reads them as two series of one pile: no order error, no gap.
ok "export_csv" pc logs export --format csv -o "$tmp/all.csv"
like "$(sed -n 2p "$tmp/all.csv")" '^pile,device_id,store_id,seq,' "csv_has_a_store_id_column"
is "$(grep -c ",$id2,[0-9]*,offline_card," "$tmp/all.csv")" 6 "csv_rows_carry_the_store_id"
ok "export_verifies_clean" pc logs verify "$tmp/all.csv"
ok "export_jsonl" pc logs export --format jsonl -o "$tmp/all.jsonl"
is "$(grep -c "\"store_id\":$id1," "$tmp/all.jsonl")" 3 "jsonl_rows_carry_the_store_id"
like "$(pc logs report --by pile --json)" '"check":"series"' "report_flags_the_new_series"

# ---- 1.0: the pile's range and its records say it -------------------------
charges 2 3
ok "first_pull_of_a_1_0_pile" pc -a 2 logs pull
ctl store reset 2 >/dev/null
charges 2 5
pc -a 2 --json logs pull >"$tmp/pull2.json" 2>"$tmp/pull2.err"
is "$?" 0 "pull_of_a_renumbered_1_0_pile_succeeds"
like "$(cat "$tmp/pull2.err")" "$s2 restarted its record numbering: its record 3 is not the one the archive holds" \
    "1_0_grown_past_the_old_last_seq_is_detected_by_its_record"
is "$(jget new_series.reason <"$tmp/pull2.json")" record_differs "1_0_json_says_why"
is "$(jget store_id <"$tmp/pull2.json")" 1 "1_0_new_series_numbered_by_the_archive"
is "$(count --pile "$s2")" 8 "1_0_both_series_kept"
like "$(pc -a 2 logs pull)" "the archive is up to date" "1_0_same_series_is_up_to_date"
ctl store reset 2 >/dev/null
charge 2
pc -a 2 logs pull >"$tmp/pull3.out" 2>&1
is "$?" 0 "pull_of_a_1_0_pile_restarted_below_succeeds"
like "$(cat "$tmp/pull3.out")" "$s2 restarted its record numbering: it holds seq 1\\.\\.1, but the archive already holds seq up to 5" \
    "1_0_numbering_below_is_detected"
is "$(count --pile "$s2")" 9 "1_0_three_series_kept"
is "$(pc -a 2 --json status | jget unsynced)" 1 "the_new_record_stays_unsynced_on_the_pile"
done_testing
