#!/bin/sh
# line-detect.sh - `pilecon scan --detect` finds an unknown bus by itself:
# three piles at 19200 8E1 are found (pilecon starts at 115200 and knows
# nothing), the settings, the addresses and the time are reported, and a bus
# where nothing answers at any setting says so.
. "$top_srcdir/tests/batch-lib.sh"

start_sim --piles 3 --baud 19200 --framing 8E1
pc --timeout 60 scan --detect --to 10
is "$rc" 0 "detect_finds_the_bus"
like "$err" "address 1 answers at 19200 8E1: found after 10 settings in [0-9.]+ s" \
	"detect_reports_setting_and_time"
like "$err" "3 piles answered on .* at 19200 8E1 \(found by --detect in [0-9.]+ s after 10 settings" \
	"detect_reports_the_piles_found"
is "$(printf '%s\n' "$out" | grep -c ' SIM-000[123] ')" 3 "all_three_addresses_listed"
pc --timeout 60 scan --detect --to 10 --json
is "$(printf '%s' "$out" | jget length),$(printf '%s' "$out" | jget 2.address)" "3,3" "detect_json_lists_the_piles"
is "$(printf '%s' "$out" | jget 0.baud) $(printf '%s' "$out" | jget 0.framing)" "19200 8E1" \
	"detect_json_says_baud_and_framing"
pc scan --detect --bauds 9600
is "$rc" 2 "detect_and_bauds_exclude_each_other"
sim_stop

# A bus at 9600 8N2: the last baud rate and the last framing tried (8N1
# reads 8N2 too, as a real UART checks only the first stop bit).
start_sim --piles 1 --baud 9600 --framing 8N2
pc --timeout 60 scan --detect --to 2
is "$rc" 0 "detect_finds_a_9600_bus"
like "$err" "at 9600 8N1: found after 14 settings" "8N1_reads_an_8N2_pile"
ctl line pull 600 >/dev/null
pc --timeout 30 scan --detect --to 2
is "$rc" 3 "nothing_answering_exits_3"
like "$err" "no pile answered on .* at any of 15 settings" "nothing_answering_says_so"
sim_stop

done_testing
