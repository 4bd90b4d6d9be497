#!/bin/sh
# The archive knows the cloud: records pulled while the pile was offline
# are unsynced in the archive; 'resync --wait' ends with the pile's upload
# done and marks them synced (no second pull), so 'logs list --json' and
# exports say so. A 1.1 pile's series is found by its store id, a 1.0
# pile's by its copy of the archive's last record. A resync that uploads
# nothing marks nothing.
. "$top_srcdir/tests/e2e-lib.sh"
command -v sqlite3 >/dev/null 2>&1 || tap_skip_all "sqlite3 is not installed"
start_sim --piles 2 --frozen-clock --clock 1700000000

charge() {	# charge ADDR: one offline session of 10 minutes
	ctl swipe "$1" 04BE4C00 >/dev/null && ctl plug "$1" >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug "$1" >/dev/null
}
synced() {	# synced SERIAL true|false: how many archived records say so
	pc --json logs list --pile "$1" 2>/dev/null | grep -c "\"synced\":$2"
}
ctl whitelist 1 add 04BE4C00 >/dev/null
ctl whitelist 2 add 04BE4C00 >/dev/null
ctl link 1 down >/dev/null
ctl link 2 down >/dev/null
for i in 1 2 3 4; do charge 1 || echo "# charge $i on pile 1 failed"; done
for i in 1 2; do charge 2 || echo "# charge $i on pile 2 failed"; done
ok "pull_pile_1_offline" pc -a 1 logs pull
ok "pull_pile_2_offline" pc -a 2 logs pull
is "$(synced SIM-0001 false)" 4 "pulled_offline_the_records_are_unsynced"

# ---- no back-end: the resync fails and marks nothing ---------------------------
pc -a 1 resync --wait >/dev/null 2>&1
is "$?" 4 "resync_without_a_back_end_is_refused"
is "$(synced SIM-0001 true)" 0 "a_refused_resync_marks_nothing_synced"

# ---- uploads the cloud does not acknowledge: nothing marked ---------------------
ctl cloud drop-acks 1000000 >/dev/null
ctl link 1 up >/dev/null
pc -a 1 resync --wait --timeout 2 >/dev/null 2>&1
is "$?" 1 "a_resync_without_acknowledgements_does_not_finish"
is "$(synced SIM-0001 true)" 0 "records_the_cloud_did_not_acknowledge_stay_unsynced"
ctl cloud drop-acks 0 >/dev/null

# ---- the upload done: resync --wait reconciles, no pull needed -----------------
out=$(pc -a 1 --json resync --wait)
tap $? "resync_wait_exits_0"
is "$(echo "$out" | jget unsynced)" 0 "the_pile_has_nothing_unsynced"
is "$(echo "$out" | jget archive_reconciled)" true "resync_reconciles_the_archive"
is "$(synced SIM-0001 true) $(synced SIM-0001 false)" "4 0" "after_resync_logs_list_shows_them_synced"
is "$(ctl cloud records --json | grep -c '"serial":"SIM-0001"')" 4 "the_cloud_holds_what_the_archive_calls_synced"
pc logs export --format jsonl --pile SIM-0001 -o "$tmp/r.jsonl" 2>/dev/null
is "$(grep -c '"synced":true' "$tmp/r.jsonl")" 4 "the_export_says_synced"
is "$(synced SIM-0002 false)" 2 "another_pile_stays_unsynced"
out=$(pc -a 1 resync --wait)
unlike_out=$(echo "$out" | grep -c 'more records')
is "$unlike_out" 0 "a_second_resync_has_nothing_more_to_mark"

# ---- a 1.0 pile: proven by its copy of the archive's last record ----------------
sim_stop
start_sim --piles 2 --frozen-clock --protocol 1.0
ctl link 2 up >/dev/null
out=$(pc -a 2 resync --wait)
tap $? "resync_of_a_1_0_pile_exits_0"
like "$out" "the archive now shows 2 more records of SIM-0002 as synced" "resync_says_what_the_archive_learned"
is "$(synced SIM-0002 true)" 2 "a_1_0_piles_records_are_synced_after_resync"

# ---- a 1.0 pile whose store was reset: its acknowledgements are another
# store's, and mark nothing in the archive's series ---------------------------
# SIM-0002 signed once (its key is pinned) and would be quarantined as a
# pile that stopped signing: here it is a pile that never signed.
sqlite3 "$tmp/archive.db" "DELETE FROM pile_keys WHERE serial = 'SIM-0002'"
ctl link 2 down >/dev/null
charge 2; charge 2
ok "pull_seq_3_and_4_offline" pc -a 2 logs pull
is "$(synced SIM-0002 false)" 2 "seq_3_and_4_are_unsynced"
ctl store reset 2 >/dev/null
for i in 1 2 3 4; do charge 2 || echo "# charge $i after the reset failed"; done
ctl link 2 up >/dev/null
out=$(pc -a 2 --json resync --wait)
tap $? "resync_of_the_reset_pile_exits_0"
is "$(echo "$out" | jget archive_reconciled)" false "the_reset_store_is_not_proven_to_be_the_archives_series"
is "$(synced SIM-0002 false)" 2 "records_of_the_old_store_stay_unsynced"
done_testing
