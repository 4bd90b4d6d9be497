#!/bin/sh
# A tcp:NAME:PORT line whose name server stops answering: the console keeps
# answering keys while the name is looked up, gives up after the connect's
# timeout saying which name did not resolve, and connects once the name
# resolves again. The real resolver of the C library is asked: the test
# runs in namespaces of its own (unshare), a mount namespace where
# /etc/hosts, /etc/resolv.conf and /etc/nsswitch.conf are the test's, and a
# network namespace with only loopback, where tests/dns-silent.py listens
# on 127.0.0.1:53 and never answers.
if [ -z "${PILECON_TEST_NS:-}" ]; then
	if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
	    ! unshare --mount --net true 2>/dev/null; then
		echo "1..0 # SKIP cannot make mount and network namespaces (unshare, ip; needs root)"
		exit 0
	fi
	PILECON_TEST_NS=1 exec unshare --mount --net sh "$0" "$@"
fi
. "$top_srcdir/tests/tui-lib.sh"

[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 is not installed"
ip link set lo up || tap_bail "cannot bring up loopback in the test's network namespace"
# The name resolves through /etc/hosts while the test says so; without it
# the library asks the name server, which never answers.
mkdir "$tmp/etc"
printf '127.0.0.1 localhost\n127.0.0.1 pile-gw.test\n' >"$tmp/etc/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$tmp/etc/resolv.conf"
printf 'hosts: files dns\n' >"$tmp/etc/nsswitch.conf"
for f in hosts resolv.conf nsswitch.conf; do
	mount --bind "$tmp/etc/$f" "/etc/$f" ||
	    skip_all "cannot bind-mount /etc/$f in the test's mount namespace"
done
name_known() {	# 1: pile-gw.test in /etc/hosts; 0: only the name server knows
	if [ "$1" = 1 ]; then
		printf '127.0.0.1 localhost\n127.0.0.1 pile-gw.test\n' >"$tmp/etc/hosts"
	else
		printf '127.0.0.1 localhost\n' >"$tmp/etc/hosts"
	fi
}
/usr/bin/python3 "$top_srcdir/tests/dns-silent.py" 127.0.0.1 "$tmp/dns.log" \
    >"$tmp/dns.out" 2>&1 &
dns=$!
start_sim
/usr/bin/python3 "$top_srcdir/tests/tcp-bridge.py" "$tmp/sim/bus" "$tmp/bridge" \
    >"$tmp/bridge.log" 2>&1 &
i=0
while { [ ! -s "$tmp/bridge" ] || ! grep -q ready "$tmp/dns.out"; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$tmp/bridge" ] || tap_bail "the TCP bridge did not start: $(cat "$tmp/bridge.log")"
grep -q ready "$tmp/dns.out" || tap_bail "the name server did not start: $(cat "$tmp/dns.out")"
read -r bridge port <"$tmp/bridge"
trap 'kill "$bridge" "$dns" 2>/dev/null; cleanup' EXIT

console_port=tcp:pile-gw.test:$port
start_console 200 24
wait_for '3 piles answer on the bus' 30
ok $? "the_console_reaches_the_piles_by_the_servers_name"

# The name is the name server's alone now, and it does not answer: Enter
# in the connect view opens the port again by its name.
name_known 0
keys 7
wait_for 'pilecon +connect' 10
keys Enter
wait_for "connecting to 'tcp:pile-gw.test:$port' for " 5
ok $? "enter_on_a_tcp_name_says_it_connects_without_waiting"
# Keys while the name is looked up: each answered while the status line
# still says it connects (tests/tui-keys.py: 'busy').
python3 "$top_srcdir/tests/tui-keys.py" -L "$sock" --timeout 5 --max-keys 200 \
    --busy "connecting to 'tcp:pile-gw.test:$port' for [0-9]" \
    '2=>^ *pilecon +dashboard' '5=>^ *pilecon +events' '1=>^ *pilecon +bus' \
    '?=>^ *pilecon +help' >"$tmp/keys.out"
sed 's/^/# /' "$tmp/keys.out" | tail -3
summary=$(tail -1 "$tmp/keys.out")
echo "# key-to-screen while the name was looked up (slowest is 'max'): $summary"
tap_like "$summary" ' while_busy ([3-9]|[1-9][0-9]+) ' "keys_are_answered_while_the_name_is_looked_up"
tap_like "$summary" ' unanswered 0 ' "every_key_was_answered"
tap_like "$summary" ' after_done [01]$' "every_key_was_answered_before_the_lookup_was_given_up"
keys 5
wait_for "no answer to the lookup of 'pile-gw.test' within 3000 ms" 10
ok $? "the_lookup_is_given_up_after_the_timeout_naming_the_host"
grep -qx 'pile-gw.test' "$tmp/dns.log"
ok $? "the_name_server_was_asked_for_the_name"
keys 1
wait_for "reopening every second \(try [0-9]+\): cannot connect to 'tcp:pile-gw.test:$port': no answer to the lookup" 15
ok $? "the_status_line_says_the_name_does_not_resolve"

# Esc stops a switch that connects.
name_known 1
wait_for "tcp:pile-gw.test:$port' is back after .*: reconnected" 20 ||
    { keys 5; wait_for "tcp:pile-gw.test:$port' is back after .*: reconnected" 5; }
ok $? "the_console_reconnects_once_the_name_resolves"
keys 1
wait_for '^ +3 SIM-0003 +online' 20
ok $? "the_piles_answer_after_the_reconnect"
name_known 0
keys 7
wait_for 'pilecon +connect' 10
keys Enter
wait_for "connecting to 'tcp:pile-gw.test:$port' for " 5
keys Escape
keys 5
wait_for "connecting to 'tcp:pile-gw.test:$port' stopped; back to 'tcp:pile-gw.test:$port'" 5
ok $? "esc_stops_the_connect"
name_known 1
keys 1
wait_for '^ +3 SIM-0003 +online' 30
ok $? "the_piles_answer_again"
keys q
wait_for 'pilecon exited' 10
ok $? "q_quits"
done_testing
