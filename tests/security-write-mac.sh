#!/bin/sh
# Writes carry their own proof (protocol 1.1): nobody rides on the
# technician's session. pilecon's console writes (force offline) and, while
# it is stopped with its session open, a second master on the bus
# (tests/security-write-mac.py, which knows only the published map) writes
# plainly and with a wrong MAC: refused, nothing changed (bystander write
# refused); pilecon's own envelope frame, captured by pilesim --frames and
# sent again, is refused as a replay (replayed frame refused). When the
# console quits, its session is closed.
. "$top_srcdir/tests/tui-lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

start_sim --frozen-clock --frames "$tmp/frames"
start_console 80 24 -a 1
wait_for 'piles? answers? on the bus' 20
keys 2
wait_for 'energy register' 10
keys o
wait_for 'offline for how long' 5
keys C-u '2h' Enter
wait_for 'force SIM-0001 offline until [0-9:]+ \(2 h 0 m\)\? y/n' 5
keys y
wait_for 'forced offline until [0-9:]+ \([12] h [0-9]+ m left\)' 10
ok $? "console_forces_pile_1_offline_with_its_key"

pid=$(cat "$tmp/pid")
kill -STOP "$pid"
python3 "$top_srcdir/tests/security-write-mac.py" "$tmp/sim/bus" "$tmp/sim/keys.yaml" \
	"$tmp/frames" open $((tap_n + 1)) "$tmp/count"
read -r tap_n failed <"$tmp/count" || tap_bail "security-write-mac.py did not finish"
tap_failed=$((tap_failed + failed))
kill -CONT "$pid"

keys q
wait_for 'pilecon exited' 10
ok $? "console_quits"
python3 "$top_srcdir/tests/security-write-mac.py" "$tmp/sim/bus" "$tmp/sim/keys.yaml" \
	"$tmp/frames" closed $((tap_n + 1)) "$tmp/count"
read -r tap_n failed <"$tmp/count" || tap_bail "security-write-mac.py did not finish"
tap_failed=$((tap_failed + failed))
done_testing
