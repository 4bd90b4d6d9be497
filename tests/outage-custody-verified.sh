#!/bin/sh
# Custody follows a verified pull only: when a record's signature fails
# (the pile serves a forged one), `logs pull --custody` exits 1, quarantines
# it and hands nothing into custody, so the full pile still refuses the next
# card. Later pulls read the quarantined record again: while it still fails,
# it stays in the quarantine and custody stops before it; once the pile
# serves it whole, it is archived (its quarantine entry kept) and custody
# passes it, so the full pile charges on. A 1.0 pile has no custody: the
# pull archives its records and says so, exit 4 (refused).
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --frozen-clock --record-capacity 8

ok "whitelist_add" pc whitelist add 04A1B2C3
ctl link 1 down >/dev/null
ctl sessions 1 04A1B2C3 4 >/dev/null
ok "a_first_pull_pins_the_key" pc logs pull
ctl sessions 1 04A1B2C3 5 >/dev/null
st=$(pc --json status)
is "$(echo "$st" | jget store.held)" 8 "the_store_is_full"
is "$(echo "$st" | jget store.refused_full)" 1 "the_ninth_card_is_refused"

# Record 6's signature, as the pile serves it, changed in one byte.
sim_stop
sig6=$((5 * 64 + 10))
dd if="$tmp/sim/pile-1/signatures.bin" of="$tmp/sig6.good" bs=1 skip=$sig6 count=1 \
    2>/dev/null
printf '\001' | dd of="$tmp/sim/pile-1/signatures.bin" bs=1 seek=$sig6 \
    conv=notrunc 2>/dev/null
start_sim --frozen-clock --record-capacity 8
out=$(pc logs pull --custody 2>&1)
is "$?" 1 "pull_custody_with_a_forged_signature_exits_1"
like "$out" "1 records of SIM-0001 failed their signature check .first: seq 6." \
    "it_names_the_forged_record"
unlike "$out" "into custody" "and_hands_nothing_into_custody"
st=$(pc --json status)
is "$(echo "$st" | jget store.custody)" 0 "the_pile_holds_no_record_in_custody"
ctl swipe 1 04A1B2C3 >/dev/null
is "$(pc --json status | jget card.last_result)" store_full \
    "so_the_full_pile_still_refuses_the_next_card"

# Served the same again: record 6 is read again and fails again. It stays in
# the quarantine as it was; the verified records before it go into custody,
# and custody stops before it.
sim_stop
start_sim --frozen-clock --record-capacity 8
out=$(pc logs pull --custody 2>&1)
is "$?" 0 "still_forged_pull_custody_exits_0"
like "$out" "1 quarantined records of SIM-0001 fail their signature check again .first: seq 6." \
    "it_says_record_6_fails_again"
like "$out" "handed records 1\.\.5 of SIM-0001 into custody \(5 records\)" \
    "it_hands_over_the_verified_records_up_to_the_quarantined_one"
is "$(pc --json status | jget store.custody_last_seq)" 5 "custody_stops_before_seq_6"
is "$(pc --json logs list --quarantine | grep -c '"seq":6')" 1 \
    "record_6_is_still_in_the_quarantine"
# The full pile reuses the space of records 1..5 (seq 9..13), and no more:
# record 6 is neither synced nor in custody.
ctl sessions 1 04A1B2C3 6 --json >"$tmp/s.json"
is "$(jget charged <"$tmp/s.json")" 5 "the_full_pile_reuses_the_5_in_custody"
is "$(jget refused <"$tmp/s.json")" 1 "and_refuses_the_next_at_record_6"

# Served whole again: record 6 verifies when read again and is archived;
# custody passes it, and the full pile charges on.
sim_stop
dd if="$tmp/sig6.good" of="$tmp/sim/pile-1/signatures.bin" bs=1 seek=$sig6 conv=notrunc \
    2>/dev/null
start_sim --frozen-clock --record-capacity 8
out=$(pc logs pull --custody 2>&1)
is "$?" 0 "served_whole_again_pull_custody_exits_0"
like "$out" "1 quarantined records of SIM-0001 verify now and are archived" \
    "it_says_record_6_verifies_now"
like "$out" "handed records 6\.\.13 of SIM-0001 into custody \(8 records\)" \
    "custody_passes_record_6"
is "$(pc --json status | jget store.custody_last_seq)" 13 "custody_reaches_seq_13"
is "$(pc --json logs list | grep -c '"serial":"SIM-0001"')" 13 "the_archive_holds_all_13"
q=$(pc --json logs list --quarantine)
is "$(printf '%s\n' "$q" | grep -c '"seq":6')" 1 "the_quarantine_keeps_record_6's_entry"
like "$q" '"reason":"bad_signature"' "with_why_it_failed"
unlike "$q" '"archived_at":0[,}]' "and_says_it_was_archived_since"
like "$(pc logs list --quarantine)" "SIM-0001 6 bad_signature .verified when pulled again: archived" \
    "logs_list_says_so_too"
sim_ctl "$tmp/sim" sessions 1 04A1B2C3 3 --json >"$tmp/s.json"
is "$(jget refused <"$tmp/s.json")" 0 "now_the_full_pile_charges_on"
out=$(pc logs pull 2>&1)
is "$?" 0 "a_later_pull_exits_0"
unlike "$out" "quarantined records" "and_reads_nothing_again"

sim_stop
rm -rf "$tmp/sim"
start_sim --frozen-clock --piles 2 --protocol 1.0
pc -a 2 whitelist add 04A1B2C3 >/dev/null
ctl link 2 down >/dev/null
ctl sessions 2 04A1B2C3 3 >/dev/null
out=$(pc -a 2 logs pull --custody 2>&1)
is "$?" 4 "pull_custody_of_a_1_0_pile_exits_4_refused"
like "$out" "pulled 3 records" "its_records_are_pulled_all_the_same"
like "$out" "cannot take records into custody" "and_it_says_the_pile_has_no_custody"
is "$(pc --json logs list | grep -c '"serial":"SIM-0002"')" 3 "the_archive_holds_the_3_records"
done_testing
