#!/bin/sh
# tui-wl-stage.sh - a 2,000-card 'whitelist sync' to a protocol 1.1 pile is
# staged (the whole list in 500 chunks, one commit) on a line paced at
# 115200 baud, about 15 s of wire, and the console answers keys all the
# while: switch views, open help. Esc during the next sync, before its
# commit, stops it with the pile's list as it was: every entry and the
# version read back through the control socket, and the staging area holds
# only the chunks sent. Esc during a sync by commands, once commands were
# taken, lets it finish and the outcome says it finished. The slowest
# key-to-screen time is reported (a figure, never an assertion).
. "$top_srcdir/tests/tui-lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"
start_sim --pace --baud 115200
for h in holder changed; do
	awk -v h="$h" 'BEGIN { print "uid,status,expires,holder";
		for (i = 0; i < 2000; i++) printf "04%06X,accepted,,%s %d\n", i * 7 + 1, h, i }' \
		>"$tmp/$h.csv"
done
held() { ctl stage 3 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["whitelist_count"], d["whitelist_version"])'; }

start_console 160 30 -a 3
wait_for 'piles? answers? on the bus' 20
ok $? "console_finds_the_three_piles"
keys : "whitelist sync $tmp/holder.csv" Enter
wait_for '^ pilecon .*whitelist sync' 10
ok $? "the_sync_starts_and_shows_in_the_title"
python3 "$top_srcdir/tests/tui-keys.py" -L "$sock" --timeout 20 --max-keys 3000 \
    --busy '^ pilecon .*whitelist sync' \
    '2=>^ pilecon +dashboard' '?=>^ pilecon +help' '5=>^ pilecon +events' \
    '3=>^ pilecon +whitelist' '1=>^ pilecon +bus' >"$tmp/keys.out"
sed 's/^/# /' "$tmp/keys.out" | tail -3
summary=$(tail -1 "$tmp/keys.out")
echo "# key-to-screen while the staged sync ran (slowest is 'max'): $summary"
tap_like "$summary" ' while_busy ([3-9]|[1-9][0-9]+) ' "keys_were_answered_while_the_staged_sync_ran"
tap_like "$summary" ' unanswered 0 ' "every_key_was_answered"
tap_like "$summary" ' after_done [01]$' "every_key_was_answered_before_the_sync_was_over"
keys 5
wait_for "':whitelist sync .*holder.csv \(SIM-0003\)' done" 120
ok $? "the_staged_sync_finished"
tap_is "$(held)" "2000 1" "the_pile_took_2000_cards_in_one_commit"
ctl whitelist 3 list >"$tmp/before.txt"

# Esc once chunks are on their way: no commit, no change.
keys : "whitelist sync $tmp/changed.csv" Enter
wait_for '^ pilecon .*whitelist sync +[1-9][0-9]?%' 30
ok $? "the_second_sync_is_staging"
keys Escape
wait_for "stopped ':whitelist sync .*changed.csv" 30
ok $? "esc_stops_the_staged_sync"
tap_is "$(held)" "2000 1" "the_version_is_unchanged"
ctl whitelist 3 list >"$tmp/after.txt"
cmp -s "$tmp/before.txt" "$tmp/after.txt"
ok $? "every_entry_is_unchanged"
received=$(ctl stage 3 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(0 < d["received"] < d["chunks"])')
tap_is "$received" True "the_chunks_sent_wait_in_the_staging_area_only"

# Esc once commands are taken (a sync by commands changes the list at
# each): the sync is finished, and the outcome says so, not "stopped".
keys : "whitelist sync --by commands $tmp/changed.csv" Enter
wait_for '^ pilecon .*whitelist sync +[1-9]%' 30
ok $? "the_sync_by_commands_has_taken_commands"
keys Escape
wait_for "cancel asked after [1-9][0-9]* of 500 commands were taken" 30
ok $? "the_cancel_is_noted_with_how_far_the_sync_got"
wait_for "' finished: the cancel came too late to stop it" 120
ok $? "the_outcome_says_the_sync_finished"
tap_unlike "$(screen)" "stopped ':whitelist sync --by" "the_outcome_does_not_say_stopped"
tap_is "$(ctl whitelist 3 list | grep -c 'changed ')" 2000 "every_card_took_the_new_holder"
keys q
wait_for 'pilecon exited' 10
ok $? "the_console_quits"
done_testing
