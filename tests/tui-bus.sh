#!/bin/sh
# The console's bus view, help screen, resize and leaving the terminal sane.
. "$top_srcdir/tests/tui-lib.sh"

start_sim
start_console 80 24 --bus-range 1-3	# no background search: its progress would show in the golden title
wait_for '3 piles answer on the bus' 20
ok $? "console_finds_3_piles_on_the_bus"
screen | grep -Eq '^ +1 SIM-0001 ' && screen | grep -Eq '^ +2 SIM-0002 ' &&
    screen | grep -Eq '^ +3 SIM-0003 '
ok $? "bus_view_lists_each_pile_with_its_serial"
golden tui-bus
ok $? "bus_view_matches_golden_screen"

keys '?'
wait_for 'move-up' 5 && golden tui-help
ok $? "help_screen_is_generated_from_the_action_table_and_pinned"
screen >"$tmp/help-pages"
keys PageDown
wait_for 'card-add' 5 && golden tui-help-2
ok $? "help_screen_scrolls_to_the_pile_and_whitelist_actions"
screen >>"$tmp/help-pages"
keys PageDown
wait_for 'detect' 5 && golden tui-help-3
ok $? "help_screen_scrolls_to_the_record_and_line_actions"
screen >>"$tmp/help-pages"
# Every default binding (keys.c's bindings text) is on one of the pages:
# its key in the key column of its action's line.
python3 - "$top_srcdir/src/tui/keys.c" "$tmp/help-pages" <<'PY'
import re, sys
binds = re.findall(r'"bind (\S+) (\S+)\\n"', open(sys.argv[1]).read())
rows = {}
for l in open(sys.argv[2]):
    m = re.match(r"^  (.{12}) (\S+) ", l)
    if m:
        rows.setdefault(m.group(2), set()).update(k.strip() for k in m.group(1).split(","))
missing = [(k, a) for k, a in binds if k not in rows.get(a, ())]
for k, a in missing:
    print("# not on the help screen: %s %s" % (k, a))
if len(binds) < 40:
    print("# only %d bindings read from keys.c" % len(binds))
sys.exit(1 if missing or len(binds) < 40 else 0)
PY
ok $? "help_screen_lists_every_default_key_with_its_action"
keys '?'
wait_for 'addr +serial' 5
ok $? "help_key_returns_to_the_view"

keys Down Enter
wait_for 'energy register' 5 && screen | grep -q 'SIM-0002 @2'
ok $? "enter_on_the_bus_view_opens_the_selected_pile"

tmux -L "$sock" resize-window -x 100 -y 40
wait_for 'energy register' 5
[ "$(screen | wc -l)" -eq 40 ] && screen | tail -1 | grep -q 'Quit' &&
    screen | sed -n 1p | grep -q 'SIM-0002'
ok $? "resize_to_100x40_redraws_with_the_key_bar_at_the_foot"
tmux -L "$sock" resize-window -x 80 -y 24
sleep 0.5
wait_for 'energy register' 5
[ "$(screen | wc -l)" -eq 24 ] && screen | tail -1 | grep -q 'Quit' &&
    [ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ]
ok $? "resize_back_to_80x24_fits_the_screen"

keys 1
wait_for 'addr +serial' 5
keys q
wait_for 'pilecon exited' 5 && grep -q 'pilecon exited 0' "$tmp/exit" &&
    cmp -s "$tmp/stty.before" "$tmp/stty.after"
ok $? "q_quits_with_status_0_and_restores_the_terminal_modes"

# Ctrl-C and SIGTERM restore the terminal too.
start_console 80 24
wait_for '3 piles answer' 20
keys C-c
wait_for 'pilecon exited' 5 && cmp -s "$tmp/stty.before" "$tmp/stty.after"
ok $? "ctrl_c_leaves_the_terminal_as_it_found_it"
start_console 80 24
wait_for '3 piles answer' 20
kill -TERM "$(cat "$tmp/pid")"
wait_for 'pilecon exited' 5 && cmp -s "$tmp/stty.before" "$tmp/stty.after"
ok $? "sigterm_leaves_the_terminal_as_it_found_it"
start_console 80 24
wait_for '3 piles answer' 20
kill -SEGV "$(cat "$tmp/pid")"
wait_for 'pilecon exited' 5 && grep -q 'pilecon exited 139' "$tmp/exit" &&
    cmp -s "$tmp/stty.before" "$tmp/stty.after"
ok $? "a_crash_still_restores_the_terminal_and_dies_of_its_signal"

done_testing
