#!/bin/sh
# A pile that stops answering is reported and the keyboard stays live.
. "$top_srcdir/tests/tui-lib.sh"

start_sim
start_console 80 24 -a 2 --timeout 100
wait_for 'piles? answers? on the bus' 20
keys 2
wait_for 'energy register' 5
ctl line pull 20 >/dev/null
wait_for 'no answer from address 2 for [2-9] s' 15
ok $? "a_silent_pile_is_reported_with_how_long_it_has_been_silent"
keys '?'
wait_for 'move-up' 2
ok $? "a_keypress_still_answers_while_the_pile_is_silent"
keys '?' 5
wait_for 'stopped answering|no answer' 2
ok $? "the_events_view_says_what_went_wrong"
ctl line pull 0 >/dev/null
keys 2
wait_for 'answers again after' 10
ok $? "the_console_notices_when_the_pile_answers_again"

stop_sim
wait_for 'no answer from address 2' 15
keys 1
wait_for 'addr +serial' 2
ok $? "keys_answer_with_pilesim_gone"
keys q
wait_for 'pilecon exited' 5 && cmp -s "$tmp/stty.before" "$tmp/stty.after"
ok $? "quitting_with_a_dead_bus_restores_the_terminal"
done_testing
