#!/bin/sh
# A pile of capacity 100 fills during an outage: with the refuse policy the
# 101st card is refused with its reason, status tells the store is full;
# `logs pull --custody` hands the records into pilecon's custody and the
# next card charges and is stored. The custody marks survive a power cut
# (kill -9) between the custody write and the next session.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --frozen-clock --record-capacity 100

ok "whitelist_add" pc whitelist add 04A1B2C3
ctl link 1 down >/dev/null
session() {
	ctl swipe 1 04A1B2C3 >/dev/null && ctl plug 1 >/dev/null &&
		ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null
}
i=0
while [ $i -lt 100 ]; do
	session || break
	i=$((i + 1))
done
is "$i" 100 "100_offline_sessions_ran"
st=$(pc --json status)
is "$(echo "$st" | jget last_seq)" 100 "100_records_stored"
is "$(echo "$st" | jget store.capacity)" 100 "status_shows_capacity_100"
is "$(echo "$st" | jget store.percent)" 100 "status_shows_the_store_100_percent_used"
is "$(echo "$st" | jget store.free)" 0 "status_shows_no_free_space"
is "$(echo "$st" | jget store.days_left)" 0 "status_shows_0_days_left"

ctl swipe 1 04A1B2C3 >/dev/null
st=$(pc --json status)
is "$(echo "$st" | jget card.last_result)" store_full "the_101st_card_is_refused_store_full"
is "$(ctl pile status 1 --json | jget card.last_result)" store_full \
    "pilesim_ctl_names_the_refusal_store_full"
is "$(echo "$st" | jget store.refused_full)" 1 "status_counts_the_refused_session"
is "$(echo "$st" | jget last_seq)" 100 "no_record_for_the_refused_card"
like "$(pc status)" "store +100 of 100 records \(100 %\), 0 in custody" "status_text_shows_the_store"

out=$(pc logs pull --custody)
like "$out" "pulled 100 records" "logs_pull_custody_pulls_the_records"
like "$out" "handed records 1\.\.100 of SIM-0001 into custody \(100 records\)" \
    "logs_pull_custody_hands_them_over"
st=$(pc --json status)
is "$(echo "$st" | jget store.custody)" 100 "status_shows_100_records_in_custody"

# Power cut between the custody write and the next session.
sim_stop KILL
start_sim --frozen-clock --record-capacity 100
is "$(pc --json status | jget store.custody)" 100 "custody_marks_survive_a_power_cut"

session
st=$(pc --json status)
is "$(echo "$st" | jget card.last_result)" accepted "after_custody_the_next_card_charges"
is "$(echo "$st" | jget last_seq)" 101 "and_its_record_is_stored"
out=$(pc --json logs pull --custody)
is "$(echo "$out" | jget new)" 1 "the_next_pull_takes_record_101"
is "$(echo "$out" | jget custody.first_seq)" 101 "custody_continues_at_101"
out=$(pc logs pull --custody)
like "$out" "no records of SIM-0001 to hand into custody" "a_second_custody_has_nothing_to_do"

ctl link 1 up >/dev/null
n=0
while [ $n -lt 200 ] && [ "$(pc --json status | jget unsynced)" != 0 ]; do
	sleep 0.1
	n=$((n + 1))
done
is "$(pc --json status | jget unsynced)" 0 "link_back_resync_uploads_what_the_pile_holds"
done_testing
