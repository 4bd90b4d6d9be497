#!/bin/sh
# A pull from the console shows a progress bar and ends with the records
# listed; resync brings the unsynced count to zero, and the archived rows
# say synced once the pile says its cloud acknowledged them.
. "$top_srcdir/tests/tui-lib.sh"

# 9600 baud, paced: a window of 2 records takes about 0.3 s on the wire, so
# the bar is on screen long enough to read.
start_sim --baud 9600 --pace
ctl link 1 down >/dev/null
batch -b 9600 -a 1 whitelist add 04A1B2C3 >/dev/null 2>&1 || true
n=0
while [ $n -lt 24 ]; do
	ctl plug 1 >/dev/null
	ctl swipe 1 04A1B2C3 >/dev/null
	ctl power 1 7000 >/dev/null
	ctl advance 600 >/dev/null
	ctl unplug 1 >/dev/null
	n=$((n + 1))
done
start_console 80 24 -a 1 -b 9600
wait_for 'piles? answers? on the bus' 30
keys 4
wait_for 'on SIM-0001: seq 1-24, 24 unsynced' 10
ok $? "records_view_shows_the_records_held_on_the_pile"
keys p
wait_for 'pulling \[[#.]+\] [0-9]+/24 records' 10
ok $? "a_pull_shows_a_progress_bar_with_the_record_count"
wait_for 'B/s .* left' 5
ok $? "the_progress_bar_shows_bytes_per_second_and_time_left"
keys 2
wait_for 'energy register' 5
ok $? "keys_answer_during_a_pull"
keys 4
wait_for 'pulled 24 records from SIM-0001 \(seq 1\.\.24\), 0 already archived' 60
ok $? "the_pull_ends_with_a_summary"
wait_for '^ +24 offline card +04A1B2C3 .* kWh .* unsynced' 3
ok $? "pulled_records_are_listed_unsynced_first"
keys p
wait_for 'pulled 0 records from SIM-0001: the archive is up to date' 5
ok $? "a_second_pull_resumes_and_finds_nothing_new"

ctl link 1 up >/dev/null
keys s
wait_for 'resync started' 10
wait_for 'on SIM-0001: seq 1-24, 0 unsynced' 30
ok $? "resync_brings_the_unsynced_count_to_zero_on_screen"
# The archive learns it from the pile: the rows say synced, with no pull.
wait_for '^ +24 offline card +04A1B2C3 .* synced *$' 10
ok $? "after_the_resync_the_archived_records_show_synced"
[ "$(screen | grep -cE ' unsynced *$')" -eq 0 ]
ok $? "no_archived_record_shows_unsynced_after_the_resync"

keys E
wait_for 'export to' 5
keys C-u "$tmp/out.csv" Enter
wait_for 'exported 24 records' 10 && [ "$(grep -c . "$tmp/out.csv")" -ge 25 ]
ok $? "export_writes_the_archived_records"

keys q
wait_for 'pilecon exited' 5
done_testing
