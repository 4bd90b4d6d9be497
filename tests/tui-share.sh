#!/bin/sh
# Two terminals on one port: while the console holds the bus, pilecon
# commands from another terminal run through it (the port's socket) and
# behave as when run alone: same output, same exit code, --json; the
# console shows them, and a pull through it stores each record once.
. "$top_srcdir/tests/tui-lib.sh"

start_sim
ctl link 1 down >/dev/null
ctl whitelist 1 add 04A1B2C3 >/dev/null
n=0
while [ $n -lt 6 ]; do
	ctl swipe 1 04A1B2C3 >/dev/null
	ctl plug 1 >/dev/null
	ctl power 1 7000 >/dev/null
	ctl advance 600 >/dev/null
	ctl unplug 1 >/dev/null
	n=$((n + 1))
done

# Alone first: what a script sees with nobody on the port.
batch -a 2 tariff show >"$tmp/alone.out" 2>"$tmp/alone.err"
alone_rc=$?
batch -a 2 whitelist add 04ZZ >"$tmp/alone-bad.out" 2>"$tmp/alone-bad.err"
alone_bad_rc=$?

start_console 100 30 -a 1
wait_for 'piles? answers? on the bus' 20
ok $? "console_holds_the_port"
name=$(ls "$tmp/run/pilecon/" 2>/dev/null)
tap_like "$name" '^dev_pts_[0-9]+-[0-9a-f]{16}\.sock$' "one_socket_named_after_the_ports_canonical_path"
tap_is "$(stat -c %a "$tmp/run/pilecon")" 700 "the_socket_folder_is_the_owners_alone"

out=$(batch -a 2 status --json 2>"$tmp/status.err")
rc=$?
tap_is "$rc" 0 "status_runs_through_the_console"
printf '%s' "$out" | python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(d["serial"] != "SIM-0002")'
ok $? "status_json_through_the_console_is_valid_json_of_the_pile_asked"

batch -a 2 tariff show >"$tmp/shared.out" 2>"$tmp/shared.err"
tap_is "$?" "$alone_rc" "same_exit_code_as_alone"
cmp -s "$tmp/alone.out" "$tmp/shared.out"
ok $? "same_output_as_alone"
batch -a 2 whitelist add 04ZZ >"$tmp/shared-bad.out" 2>"$tmp/shared-bad.err"
tap_is "$?" "$alone_bad_rc" "a_usage_error_has_the_same_exit_code_as_alone"
cmp -s "$tmp/alone-bad.err" "$tmp/shared-bad.err"
ok $? "and_the_same_message"

batch -a 1 logs pull >"$tmp/pull.out" 2>"$tmp/pull.err"
rc=$?
tap_is "$rc" 0 "logs_pull_runs_through_the_console"
tap_like "$(cat "$tmp/pull.out")" 'pulled 6 records from SIM-0001' "the_pull_reports_what_it_stored"
batch -a 1 whitelist add 04C0FFEE --holder '张伟' >"$tmp/add.out" 2>"$tmp/add.err"
tap_is "$?" 0 "whitelist_add_runs_through_the_console"
tap_like "$(ctl whitelist 1 list)" '04C0FFEE' "the_card_is_on_the_pile"

keys 5
wait_for "another terminal runs 'status --json \(SIM-0002\)'" 5
ok $? "the_console_shows_a_job_from_another_terminal"
wait_for "'logs pull \(SIM-0001\)' done \(from another terminal\)" 5
ok $? "and_how_it_ended"
wait_for "'whitelist add 04C0FFEE --holder 张伟 \(SIM-0001\)' done" 5
ok $? "with_its_words"

batch -a 1 logs pull >"$tmp/pull2.out" 2>&1
tap_like "$(cat "$tmp/pull2.out")" 'pulled 0 records' "a_second_pull_through_the_console_finds_nothing_new"
count=$(batch logs list --json --pile SIM-0001 | python3 -c '
import json, sys
t = sys.stdin.read()
try:
    v = json.loads(t)
    v = v["records"] if isinstance(v, dict) else v
except ValueError:
    v = [json.loads(l) for l in t.splitlines() if l.strip()]
print(len(v), len(set(r["seq"] for r in v)))')
tap_is "$count" "6 6" "the_archive_holds_each_record_once"

keys q
wait_for 'pilecon exited' 10
tap_is "$(cat "$tmp/exit" 2>/dev/null)" "pilecon exited 0" "the_console_leaves_cleanly"
tap_is "$(ls "$tmp/run/pilecon/" 2>/dev/null)" "" "the_console_removes_its_socket_when_it_leaves"
batch -a 2 tariff show >/dev/null 2>&1
tap_is "$?" 0 "with_the_console_gone_commands_open_the_port_again"
done_testing
