#!/bin/sh
# The console's Line view: per-pile line counters, live, and the trace of
# frames toggled by a key; the --trace file is written through the same hook.
. "$top_srcdir/tests/tui-lib.sh"

# The view's stable parts: each count right-aligned where it ends, round
# trips masked; the message line (which times out) left out.
line_golden() {	# NAME
	screen | mask | sed '23d' | perl -pe 's{( *)([0-9][0-9.]*(?:/[0-9.]+)*)}{
	    my ($sp, $n) = ($1, $2);
	    $n =~ m|/| ? "${sp}N/N/N" : (" " x (length($sp) + length($n) - 1)) . "N"}ge' >"$tmp/$1.txt"
	if [ "${GENERATE:-0}" = 1 ]; then
		cp "$tmp/$1.txt" "$top_srcdir/tests/golden/$1.txt"
		return 0
	fi
	if ! diff -u "$top_srcdir/tests/golden/$1.txt" "$tmp/$1.txt" >"$tmp/$1.diff"; then
		sed 's/^/# /' "$tmp/$1.diff"
		return 1
	fi
	return 0
}

start_sim
start_console 80 24 --trace "$tmp/trace.txt" --bus-range 1-3
wait_for '3 piles answer on the bus' 20
keys 6
wait_for 'addr +serial +requests +replies +CRC +timeouts' 5
ok $? "key_6_opens_the_line_view_with_the_counters_of_ping"
screen | grep -Eq '^ +1 SIM-0001 +[1-9]' && screen | grep -Eq '^ +3 SIM-0003 +[1-9]' &&
    screen | grep -Eq '^ all +[1-9]'
ok $? "each_pile_and_the_whole_bus_have_a_row_of_counters"
wait_for 'trace off: press v' 5 && line_golden tui-line
ok $? "line_view_matches_golden_screen"

# The counters are live: a cut-short reply counts as a CRC error at once.
ctl line truncate 1 >/dev/null
wait_for '^ +1 SIM-0001 +[0-9]+ +[0-9]+ +[1-9][0-9]* ' 15
ok $? "crc_errors_of_the_selected_pile_show_while_they_happen"
ctl line off >/dev/null

keys v
wait_for '^trace: [0-9]+ frames' 5 &&
    wait_for '^[0-9:.]+ TX  01 03 ' 10 && wait_for '^[0-9:.]+ RX  01 03 ' 10
ok $? "v_shows_the_frames_with_time_and_direction"
keys v
wait_for 'trace off: press v' 5 && ! screen | grep -Eq '^[0-9:.]+ (TX|RX)'
ok $? "v_again_stops_the_trace"

grep -Eq '^[0-9:.]+ TX  0[1-3] 03 ' "$tmp/trace.txt" &&
    grep -Eq '^[0-9:.]+ RX  0[1-3] 03 ' "$tmp/trace.txt"
ok $? "the_trace_file_is_written_through_the_same_hook"

# A job's own bus is traced through the same hook: the scan's probes (one
# register; the console's own identity reads of an address ask for 54).
keys : 'scan --from 4 --to 5' Enter
wait_for "scan --from 4 --to 5( \(SIM-0001\))?' (done|failed)" 20 &&
    grep -Eq '^[0-9:.]+ TX  04 03 00 00 00 01 ' "$tmp/trace.txt" &&
    grep -Eq '^[0-9:.]+ TX  05 03 00 00 00 01 ' "$tmp/trace.txt"
ok $? "a_job's_own_bus_is_traced_too (the scan's probes of 4 and 5)"
# The scan said why in its own event (no pile answered): no empty cause.
keys 5
wait_for "0 piles answered on " 5 && ! screen | grep -q "failed: *$" &&
    screen | grep -Eq "scan --from 4 --to 5( \(SIM-0001\))?' failed$"
ok $? "a_failure_said_in_its_events_ends_without_an_empty_cause"
keys 6

keys q
wait_for 'pilecon exited' 5
ok $? "q_quits_from_the_line_view"
done_testing
