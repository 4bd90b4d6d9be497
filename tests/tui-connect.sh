#!/bin/sh
# The connect view: a bus at 19200 8N1 that the console, at the Modbus
# default 115200 8E1, cannot hear; choosing baud rate and framing there
# and pressing Enter opens the port at them and the piles answer.
. "$top_srcdir/tests/tui-lib.sh"

start_sim --baud 19200 --framing 8N1
start_console 100 24 --timeout 100
keys 7
wait_for 'port +.*sim/bus \(115200 8E1\)' 10
ok $? "key_7_shows_the_port_and_its_settings"
wait_for '^ .*sim/bus \(in use\)' 5
ok $? "the_port_in_use_heads_the_list_of_ports"
keys r r
wait_for 'settings +19200 8E1' 5
ok $? "r_steps_through_the_baud_rates"
keys f
wait_for 'settings +19200 8N1' 5
ok $? "f_steps_through_the_framings"
keys Enter
wait_for 'port +.*sim/bus \(19200 8N1\)' 10
ok $? "enter_opens_the_port_at_the_chosen_settings"
keys 1
wait_for '^ +3 SIM-0003 +online' 20
ok $? "the_piles_answer_at_the_settings_chosen"
keys q
wait_for 'pilecon exited' 10
ok $? "q_quits"
done_testing
