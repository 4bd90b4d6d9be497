#!/bin/sh
# The port goes away under the console (pilesim killed: the pty is gone)
# and comes back under another /dev name: the console says so, keeps
# answering keys, reopens the port by its /dev/serial/by-id name and keeps
# its place; the pull the loss cut short ends with every record archived
# once.
. "$top_srcdir/tests/tui-lib.sh"

# A fake /dev whose by-id name points at the pty of the moment, as udev's
# points at whichever ttyUSBn the adapter came back as.
mkdir -p "$tmp/dev/serial/by-id"
byid=$tmp/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0
ln -s "$tmp/ttyUSB0" "$byid"
export PILECON_DEV_ROOT="$tmp/dev"

# 19200 baud, paced: 40 signed records take some 10 s to pull, time enough
# to pull the plug in the middle.
start_sim --baud 19200 --pace --link "$tmp/ttyUSB0"
ctl link 1 down >/dev/null
batch -p "$tmp/ttyUSB0" -b 19200 -a 1 whitelist add 04A1B2C3 >/dev/null 2>&1 || true
python3 "$top_srcdir/tests/sim-fill.py" "$tmp/sim/ctl.sock" 1 40 04A1B2C3 >/dev/null ||
	tap_bail "cannot fill pile 1"

# Wide enough for the long by-id names in the events.
console_port=$tmp/ttyUSB0
start_console 200 24 -a 1 -b 19200
wait_for '3 piles answer on the bus' 30
keys 5
wait_for "reopens it by that name" 5
ok $? "the_console_finds_the_by_id_name_of_its_port"

keys 4
wait_for 'on SIM-0001: seq 1-40, 40 unsynced' 10
keys p
wait_for 'pulling \[[#.]+\] [1-9][0-9]*/40 records' 15
ok $? "a_pull_is_running"
sim_stop
wait_for "port '.*' gone for|port gone for" 10
ok $? "the_status_line_says_the_port_is_gone"
keys 2
wait_for 'energy register' 5
ok $? "keys_answer_while_the_port_is_gone"
keys 4
wait_for 'records +SIM-0001 @1' 5

# The adapter comes back as another ttyUSBn; its by-id name follows it.
ln -sfn "$tmp/ttyUSB1" "$byid"
sim_launch "$tmp/sim" "$tmp/pilesim.log" --piles 3 --baud 19200 --pace \
    --link "$tmp/ttyUSB1" || tap_bail "pilesim did not start again"
wait_for 'pulled [0-9]+ records from SIM-0001 \(seq ([2-9]|[1-3][0-9])\.\.40\), 0 already archived' 60
ok $? "the_pull_starts_again_where_the_archive_ends"
screen | sed -n 1p | grep -Eq 'records +SIM-0001 @1 \(1/3\)'
ok $? "the_console_keeps_its_view_and_pile"
keys 5
wait_for "usb-FTDI[^ ]*' is back after .*: reconnected" 5
ok $? "the_console_reopens_the_port_by_its_by_id_name"
screen | grep -q "went away: check the cable / adapter; the console goes on"
ok $? "the_events_view_says_the_port_went_away"

keys q
wait_for 'pilecon exited' 10
out=$(timeout 20 "$top_builddir/pilecon" logs list --json)
tap_is "$(printf '%s\n' "$out" | grep -c '"seq"')" 40 "the_archive_holds_each_of_the_40_records_once"
done_testing
