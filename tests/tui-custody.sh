#!/bin/sh
# A long outage on the dashboard: store use (records, percent, days left),
# records in custody and the oldest record the cloud has not acknowledged;
# above 80 % the dashboard offers custody, and its key runs `logs pull
# --custody` as a console job: the records go into custody and the offer
# goes away.
. "$top_srcdir/tests/tui-lib.sh"

start_sim --frozen-clock --record-capacity 10
ctl whitelist 1 add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
ctl sessions 1 04A1B2C3 9 --gap 1800 >/dev/null
json=$(batch -a 1 --json status)
oldest=$(printf '%s' "$json" | grep -o '"oldest_unacked":[0-9]*' | cut -d: -f2)
day=$(date -u -d "@$oldest" +%Y-%m-%d)
echo "# oldest_unacked $oldest ($day)"

start_console 80 24 -a 1
wait_for 'piles? answers? on the bus' 20
keys 2
wait_for '9 of 10 records \(90 %\)' 10
ok $? "dashboard_shows_store_use_in_records_and_percent"
screen | grep -q '0 in custody'
ok $? "dashboard_shows_records_in_custody"
screen | grep -q "oldest not acknowledged $day"
ok $? "dashboard_shows_the_oldest_record_the_cloud_has_not_acknowledged"
screen | grep -Eq 'about [0-9]+ days left|days left not known yet'
ok $? "dashboard_shows_days_left"
screen | grep -q 'press c: pull, then hand into custody'
ok $? "above_80_percent_the_dashboard_offers_custody"
screen | grep -q 'when full: refuse offline charging'
ok $? "dashboard_shows_what_a_full_store_does"

# The store fills while the console watches: the next card is refused.
ctl sessions 1 04A1B2C3 2 >/dev/null
wait_for '10 of 10 records \(100 %\)' 10
ok $? "dashboard_follows_the_store_to_full"
wait_for '1 refused, 0 unrecorded' 10
ok $? "dashboard_counts_the_session_a_full_store_refused"
screen | grep -q 'refused: the record store is full'
ok $? "dashboard_says_why_the_card_was_refused"

keys c
wait_for '10 in custody' 20
ok $? "the_custody_key_pulls_and_hands_the_records_into_custody"
sleep 1
! screen | grep -q 'press c: pull'
ok $? "with_every_record_in_custody_the_offer_goes_away"
keys 5
wait_for 'handed records 1\.\.10 of SIM-0001 into custody' 10
ok $? "the_events_view_says_what_custody_did"
keys q
wait_for 'pilecon exited' 5
is_custody=$(batch -a 1 --json status | grep -o '"custody":[0-9]*' | cut -d: -f2)
[ "$is_custody" = 10 ]
ok $? "the_pile_holds_10_records_in_custody"
done_testing
