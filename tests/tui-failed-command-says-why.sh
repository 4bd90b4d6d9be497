#!/bin/sh
# tui-failed-command-says-why.sh - exit codes and messages follow one rule
# in the console too: a ':' command that fails shows its reason in the
# status line, not only in the events view.
. "$top_srcdir/tests/tui-lib.sh"
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"

start_sim
start_console 100 30
wait_for "SIM-0001" 30; ok $? "console_shows_the_bus"
keys ":"
keys "logs export --format xml" Enter
wait_for "failed: unknown format 'xml' \(use csv, jsonl or ocmf" 30
ok $? "failed_command_reason_is_in_the_status_line"
keys q
done_testing
