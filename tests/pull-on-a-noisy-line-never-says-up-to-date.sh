#!/bin/sh
# One outcome per command (issue 10): a logs pull that fails on a bad line
# states the failure once and never says "the archive is up to date", and
# exits 3 (no answer, README's table) - whether it fails before reading a
# record, with nothing new to pull, or halfway through the pile's records
# (those read are kept, and the next pull resumes: none lost), or because
# the port went away under it (pilesim gone: the adapter unplugged).
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 1 --frozen-clock

charge() {
	ctl swipe 1 04A1B2C3 >/dev/null
	ctl plug 1 >/dev/null
	ctl advance 300 >/dev/null
	ctl unplug 1 >/dev/null
}
held() { pc logs list --json 2>/dev/null | grep -c '"seq"'; }
# says_failure_once NAME: $tmp/out is the pull's stdout and stderr, $rc its exit
says_failure_once() {
	is "$rc" 3 "${1}_exits_3"
	grep -q 'up to date' "$tmp/out"
	tap $((!$?)) "${1}_never_says_up_to_date"
	is "$(grep -c '^pilecon: no answer' "$tmp/out")" 1 "${1}_states_the_failure_once"
}
ctl whitelist 1 add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
charge; charge; charge

# Every frame lost: the pull fails at its first transaction.
ctl line drop 1 >/dev/null
pc --retries 1 logs pull >"$tmp/out" 2>&1
rc=$?
says_failure_once "a_pull_on_a_dead_line"
is "$(held)" 0 "nothing_archived_from_a_dead_line"
ctl line off >/dev/null
ok "a_clean_pull" pc logs pull

# Nothing new on the pile, and the line dead: still not "up to date".
ctl line drop 1 >/dev/null
pc --retries 1 logs pull >"$tmp/out" 2>&1
rc=$?
says_failure_once "a_pull_with_nothing_new_on_a_dead_line"
ctl line off >/dev/null

# Halfway: 80 records read two by two, 300 ms a window; the cable is pulled
# once the first batch of 32 is archived.
n=0
while [ $n -lt 80 ]; do charge; n=$((n + 1)); done
ctl line latency 300 >/dev/null
pc --retries 1 logs pull >"$tmp/out" 2>&1 &
pid=$!
tries=0
while [ "$(held)" -lt 35 ] && [ $tries -lt 600 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
ctl line pull 60 >/dev/null
wait $pid
rc=$?
says_failure_once "a_pull_cut_halfway"
like "$(cat "$tmp/out")" 'pulled [0-9]+ records from SIM-0001 \(seq 4\.\.[0-9]+\), 0 already archived before the pile stopped answering; run it again to resume' \
    "a_pull_cut_halfway_says_how_far_it_got"
got=$(held)
[ "$got" -ge 35 ] && [ "$got" -lt 83 ]
tap $? "a_pull_cut_halfway_keeps_what_it_read"
ctl line off >/dev/null
ok "the_next_pull_resumes" pc logs pull
is "$(held)" 83 "no_record_lost"
like "$(pc logs pull)" 'the archive is up to date' "a_whole_pull_is_up_to_date"

# The port goes away halfway (the adapter unplugged): no answer, 3.
n=0
while [ $n -lt 40 ]; do charge; n=$((n + 1)); done
ctl line latency 300 >/dev/null
pc logs pull >"$tmp/out" 2>&1 &
pid=$!
tries=0
while [ "$(held)" -lt 115 ] && [ $tries -lt 600 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
sim_stop KILL
wait $pid
rc=$?
is "$rc" 3 "a_port_gone_halfway_exits_3"
grep -q 'up to date' "$tmp/out"
tap $((!$?)) "a_port_gone_halfway_never_says_up_to_date"
like "$(cat "$tmp/out")" "port '.*' went away" "a_port_gone_halfway_says_so"
done_testing
