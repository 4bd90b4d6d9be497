#!/bin/sh
# provision-scan.sh - `pilecon scan` on a 32-pile bus (what pilesim holds for
# tests and demos): every pile found with address, serial, model and
# firmware; ranges; a baud list; an absent address costs one short timeout.
. "$top_srcdir/tests/provision-lib.sh"

start_sim --piles 32
t0=$(date +%s)
pc scan
t1=$(date +%s)
is "$rc" 0 "scan_exits_0"
is "$(printf '%s\n' "$out" | grep -c ' SIM-00')" 32 "scan_finds_all_32_piles"
like "$out" "^address +serial +model +firmware +vendor" "scan_header"
like "$out" "^32 +SIM-0032 +pilesim-ac22 +sim-1.0 +pilecon" "scan_lists_address_serial_model_firmware"
like "$err" "32 piles answered .*addresses 1..247, [0-9]+ ms probe timeout" "scan_summary_on_stderr"
# 215 absent addresses, each one short probe: well under the 10 s target even
# on a loaded test machine (a generous bound, not a benchmark).
is "$(( t1 - t0 <= 20 ))" 1 "scan_of_247_addresses_is_quick"

pc scan --from 30 --to 40 --json
is "$(printf '%s' "$out" | jget length)" 3 "scan_range_finds_30_to_32"
is "$(printf '%s' "$out" | jget 0.address),$(printf '%s' "$out" | jget 0.serial)" "30,SIM-0030" \
	"scan_json_address_and_serial"
is "$(printf '%s' "$out" | jget 0.firmware)" "sim-1.0" "scan_json_firmware"

# Only the pile's baud rate answers: pilesim garbles what a master sends at
# another rate, as a real line does; each pile is listed once.
pc scan --to 2 --bauds 9600,115200 --json
is "$(printf '%s' "$out" | jget length)" 2 "scan_over_two_bauds_counts_each_pile_once"
is "$(printf '%s' "$out" | jget 0.baud),$(printf '%s' "$out" | jget 1.baud)" "115200,115200" \
	"scan_json_says_the_baud_that_answered"
pc scan --to 2 --bauds 9600,115200
like "$out" "^address +baud +serial" "scan_shows_a_baud_column_with_several_bauds"
pc scan --bauds 9600,fast
is "$rc" 2 "bad_baud_list_is_a_usage_error"
like "$err" "bad value '9600,fast' for --bauds" "bad_baud_list_is_named"

pc scan --from 40 --to 50
is "$rc" 3 "scan_with_no_pile_exits_3"

done_testing
