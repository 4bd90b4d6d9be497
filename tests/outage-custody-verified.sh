#!/bin/sh
# Custody follows a verified pull only: when a record's signature fails
# (the pile serves a forged one), `logs pull --custody` exits 1, quarantines
# it and hands nothing into custody, so the full pile still refuses the next
# card; once the pile serves its records whole again, the same command hands
# over the records the archive holds verified, up to the quarantined one and
# no further. A 1.0 pile has no custody: the pull archives its records and
# says so, exit 4 (refused).
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
cp "$tmp/sim/pile-1/signatures.bin" "$tmp/signatures.good"
printf '\001' | dd of="$tmp/sim/pile-1/signatures.bin" bs=1 seek=$((5 * 64 + 10)) \
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

sim_stop
cp "$tmp/signatures.good" "$tmp/sim/pile-1/signatures.bin"
start_sim --frozen-clock --record-capacity 8
out=$(pc logs pull --custody 2>&1)
is "$?" 0 "served_whole_again_pull_custody_exits_0"
like "$out" "handed records 1\.\.5 of SIM-0001 into custody \(5 records\)" \
    "it_hands_over_the_verified_records_up_to_the_quarantined_one"
is "$(pc --json status | jget store.custody)" 5 "the_pile_holds_5_records_in_custody"
is "$(pc --json status | jget store.custody_last_seq)" 5 "custody_stops_before_seq_6"

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
