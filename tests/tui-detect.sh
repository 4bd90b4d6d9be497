#!/bin/sh
# The connect view's auto-detect: a bus at 19200 8E1 that the console,
# opened at 57600 8N1, cannot hear; 7 then d runs scan --detect on the
# port, the view shows the settings found, the port is opened at them and
# the piles answer.
. "$top_srcdir/tests/tui-lib.sh"

start_sim --baud 19200 --framing 8E1
start_console 100 24 --timeout 100 --baud 57600 -s 8N1
keys 7
wait_for 'port +.*sim/bus \(57600 8N1\)' 10
ok $? "the_console_starts_at_the_wrong_settings"
keys 1
sleep 2
screen | grep -Eq 'SIM-000[123]'
[ $? -ne 0 ]
ok $? "at_the_wrong_settings_no_pile_answers"
keys 7
wait_for 'port +.*sim/bus \(57600 8N1\)' 10
keys d
wait_for 'finding the baud rate and framing' 10
ok $? "d_starts_the_search"
wait_for 'port +.*sim/bus \(19200 8E1\)' 60
ok $? "d_finds_19200_8E1_and_reopens_the_port_at_it"
wait_for 'settings +19200 8E1' 5
ok $? "the_settings_line_shows_what_was_found"
wait_for '^ .*sim/bus \(in use\)' 5
ok $? "the_port_list_still_names_the_port_in_use"
keys 5
wait_for 'piles answer at 19200 8E1: opening the port at it' 10
ok $? "the_events_say_what_was_found"
keys 1
wait_for '^ +3 SIM-0003 +online' 20
ok $? "the_piles_answer_after_detection"
keys 2
wait_for 'SIM-0001' 20
ok $? "the_dashboard_reads_pile_1_after_detection"
keys q
wait_for 'pilecon exited' 10
ok $? "q_quits"
done_testing
