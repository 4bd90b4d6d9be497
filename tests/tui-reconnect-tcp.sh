#!/bin/sh
# A tcp:HOST:PORT line (an RS-485-to-Ethernet server) loses its cable under
# the console: the console says so and reopens it, and while the server
# does not answer (each connect hangs until its 3 s timeout) the screen
# keeps answering keys at once; once the cable is back the piles answer.
. "$top_srcdir/tests/tui-lib.sh"

[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 is not installed"
start_sim
/usr/bin/python3 "$top_srcdir/tests/tcp-bridge.py" "$tmp/sim/bus" "$tmp/bridge" \
    >"$tmp/bridge.log" 2>&1 &
i=0
while [ ! -s "$tmp/bridge" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/bridge" ] || tap_bail "the TCP bridge did not start: $(cat "$tmp/bridge.log")"
read -r bridge port <"$tmp/bridge"
bridge_stop() { kill "$bridge" 2>/dev/null; }
trap 'bridge_stop; cleanup' EXIT

console_port=tcp:127.0.0.1:$port
start_console 200 24
wait_for '3 piles answer on the bus' 30
ok $? "the_console_talks_to_the_piles_over_tcp"

kill -USR1 "$bridge"		# the cable: pulled
wait_for 'port gone for' 20
ok $? "the_status_line_says_the_port_is_gone"

# Each reopen's connect hangs now. A blocking connect froze the screen 3 s
# of every 4: eight keys in a row, each on screen within a second, show
# the screen never waits for it.
late=0
n=0
while [ $n -lt 8 ]; do
	keys 2
	wait_for '^ *pilecon +dashboard' 1 >/dev/null || late=$((late + 1))
	keys 5
	wait_for '^ *pilecon +events' 1 >/dev/null || late=$((late + 1))
	n=$((n + 1))
done
[ $late -eq 0 ]
ok $? "keys_answer_while_the_server_does_not (late: $late of 16)"
wait_for 'reopening every second \(try [0-9]+\): cannot connect to .*no answer within 3000 ms' 15
ok $? "a_connect_that_hangs_gives_up_after_its_timeout_and_says_so"

kill -USR2 "$bridge"		# the cable: back
wait_for "tcp:127.0.0.1:$port' is back after .*: reconnected" 20
ok $? "the_console_reconnects_when_the_server_answers_again"
keys 1
wait_for '^ +3 SIM-0003 +online' 20
ok $? "the_piles_answer_after_the_reconnect"
keys q
wait_for 'pilecon exited' 10
ok $? "q_quits"
done_testing
