#!/bin/sh
# The console's search of the whole bus (addresses 4-247 after the first
# look at 1-8) runs as a job: its progress shows in the title, keys are
# answered while it probes, another job runs beside it, and Esc stops it
# saying where it stopped.
. "$top_srcdir/tests/tui-lib.sh"

start_sim
start_console 120 30
wait_for '3 piles answer on the bus' 20
ok $? "the_first_look_finds_the_three_piles"
wait_for '^ pilecon .*scan [0-9]+%' 10
ok $? "the_search_shows_its_progress_in_the_title"

# Keys while it probes: each answered while the title still shows it
# (tests/tui-keys.py: 'busy').
python3 "$top_srcdir/tests/tui-keys.py" -L "$sock" --timeout 5 --max-keys 40 \
    --busy '^ pilecon .*scan [0-9]+%' \
    '2=>^ pilecon +dashboard' '5=>^ pilecon +events' '1=>^ pilecon +bus' \
    '?=>^ pilecon +help' >"$tmp/keys.out"
sed 's/^/# /' "$tmp/keys.out" | tail -3
summary=$(tail -1 "$tmp/keys.out")
echo "# key-to-screen during the search (slowest is 'max'): $summary"
tap_like "$summary" ' while_busy ([3-9]|[1-9][0-9]+) ' "keys_are_answered_while_the_search_runs"
tap_like "$summary" ' unanswered 0 ' "every_key_was_answered"
tap_like "$summary" ' after_done [01]$' "every_key_was_answered_before_the_search_was_over"

# Another job takes turns on the wire with it and ends first.
keys 5 : status Enter
wait_for "':status \(SIM-0001\)' done" 10
ok $? "a_job_started_during_the_search_runs_beside_it"
screen | grep -Eq '^ pilecon .*scan [0-9]+%'
ok $? "the_search_still_runs_when_the_job_is_done"

# A person's job keeps the title while the search runs, also after a view
# reads on its own (the whitelist view's read used to hand the title, and
# Esc, to the search).
keys : ping ' ' -c ' ' 400 ' ' -i ' ' 20 Enter
wait_for '^ pilecon .*ping\.\.\. \+1' 10
ok $? "a_job_a_person_started_shows_in_the_title_over_the_search"
keys 3
wait_for '^ pilecon +whitelist' 10
sleep 1.5
screen | grep -Eq '^ pilecon .*ping\.\.\. \+1'
ok $? "the_title_keeps_the_job_after_the_whitelist_view_read"
keys Escape
wait_for "stopped ':ping -c 400 -i 20" 10
ok $? "esc_stops_the_persons_job_not_the_search"
screen | grep -Eq '^ pilecon .*scan [0-9]+%'
ok $? "the_search_goes_on_after_that_esc"

keys Escape
wait_for 'search of addresses 1-247 stopped at address [0-9]+ after .*: 3 piles answer on the bus' 10
ok $? "esc_stops_the_search_saying_where"
sleep 0.5
screen | grep -Eq '^ pilecon .*scan [0-9]+%'
[ $? -ne 0 ]
ok $? "the_title_no_longer_shows_the_search"
keys q
wait_for 'pilecon exited' 10
ok $? "q_quits"
done_testing
