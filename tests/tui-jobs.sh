#!/bin/sh
# tui-jobs.sh - the console never waits: while a 5,000-record pull,
# ':resync --wait' and a 2,000-card 'whitelist sync' run (one per pile, on
# one bus), keys still answer: switch views, open help, scroll the events.
# Each key is answered before the jobs are over; the slowest key-to-screen
# time over the run is reported (a figure for people, never an assertion).
# pilesim syncs every record to disk: on a tmpfs, making thousands takes
# seconds, not minutes.
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$top_srcdir/tests/tui-lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
t_start=$(date +%s)
start_sim --record-capacity 6000
# Pile 1: 5,000 offline charges to pull.
ctl link 1 down >/dev/null
ctl whitelist 1 add 04BE4C00 >/dev/null
python3 "$top_srcdir/tests/sim-fill.py" "$tmp/sim/ctl.sock" 1 5000 04BE4C00 ||
	tap_bail "cannot make 5000 records on pile 1"
# Pile 2: 400 unsynced charges, uploaded by the pile once its link is up.
ctl link 2 down >/dev/null
ctl whitelist 2 add 04BE4C00 >/dev/null
python3 "$top_srcdir/tests/sim-fill.py" "$tmp/sim/ctl.sock" 2 400 04BE4C00 ||
	tap_bail "cannot make 400 records on pile 2"
# Pile 3: 2,000 cards to load.
awk 'BEGIN { print "uid,status,expires,holder";
	for (i = 0; i < 2000; i++) printf "04%06X,accepted,,holder %d\n", i * 7 + 1, i }' \
	>"$tmp/cards.csv"

echo "# the world made in $(( $(date +%s) - t_start )) s"
start_console 120 30 -a 1
wait_for 'piles? answers? on the bus' 20
ok $? "console_finds_the_three_piles"

keys 4 p
wait_for '^ pilecon .*logs pull' 10
ok $? "the_pull_starts_and_shows_in_the_title"
ctl link 2 up >/dev/null
keys ']' : 'resync --wait' Enter
keys ']' : "whitelist sync $tmp/cards.csv" Enter
wait_for '^ pilecon .*\+2' 10
ok $? "three_jobs_run_at_once_across_piles"

# Views, help, the events scrolled to the top and followed again; each
# key until the jobs are over.
python3 "$top_srcdir/tests/tui-keys.py" -L "$sock" --timeout 20 --max-keys 3000 \
    --busy '^ pilecon .*(logs pull|resync|whitelist sync)' \
    '2=>^ pilecon +dashboard' '?=>^ pilecon +help' '5=>^ pilecon +events' \
    'g=>-- line 1 of [0-9]+' '3=>^ pilecon +whitelist' '4=>^ pilecon +records' \
    >"$tmp/keys.out"
sed 's/^/# /' "$tmp/keys.out" | tail -5
summary=$(tail -1 "$tmp/keys.out")
echo "# key-to-screen while the jobs ran (slowest is 'max'): $summary"
tap_like "$summary" ' while_busy ([3-9]|[1-9][0-9]+) ' "keys_were_answered_while_the_jobs_ran"
tap_like "$summary" ' unanswered 0 ' "every_key_was_answered"
# Only the last key may be answered after the jobs: they can end while it
# is on its way (a console that waited answers none while they run).
tap_like "$summary" ' after_done [01]$' "every_key_was_answered_before_the_jobs_were_over"

echo "# keys done at $(( $(date +%s) - t_start )) s"
keys 5
wait_for "pulled 5000 records from SIM-0001" 180
ok $? "the_pull_finished"
wait_for "':resync --wait \(SIM-0002\)' done" 180
ok $? "the_resync_finished"
wait_for "':whitelist sync .*cards.csv \(SIM-0003\)' done" 180
ok $? "the_whitelist_sync_finished"
tap_is "$(ctl whitelist 3 list | grep -c '^04')" 2000 "the_pile_holds_the_2000_cards"

# The records view reads the archive a page (256 records) a turn, sorts the
# whole read, then shows it: the newest unsynced record first.
keys '[' '[' 4
wait_for 'in the archive: 5000 records of this pile' 20 && screen | grep -Eq '^ +5000 '
ok $? "the_records_view_shows_the_5000_pulled_newest_first"
keys 5

echo "# jobs done at $(( $(date +%s) - t_start )) s"

# The commands that were not jobs before run from the ':' line too.
keys : 'help whitelist' Enter
wait_for 'usage: pilecon whitelist sync FILE.csv' 10
ok $? "console_help_whitelist_shows_the_group_s_usage"
keys : 'scan --to 3' Enter
wait_for "':scan --to 3( \\(SIM-000[1-3]\\))?' done" 30
ok $? "console_scan_runs_as_a_job"
tap_like "$(screen)" "3 piles answered on" "console_scan_says_what_it_found"
keys : 'whitelist export' Enter
wait_for "':whitelist export \\(SIM-000[1-3]\\)' done" 30
ok $? "console_whitelist_export_runs_as_a_job"
keys : 'ports' Enter
wait_for "':ports( \\(SIM-000[1-3]\\))?' done" 10
ok $? "console_ports_runs_as_a_job"
keys q
wait_for 'pilecon exited' 10
ok $? "the_console_quits"
done_testing
