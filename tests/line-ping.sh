#!/bin/sh
# line-ping.sh - `pilecon ping`, the wiring check, over pilesim's line
# emulator: a clean line reports no errors; bit errors give CRC errors in
# proportion and a verdict that names termination and the A/B pair; a
# silent address and a pulled cable give "no answer"; --trace writes every
# frame; an adapter that echoes is named, and --echo reads through it.
. "$top_srcdir/tests/batch-lib.sh"

start_sim --piles 2
pc ping -c 20 -i 0 -q
is "$rc" 0 "clean_line_pings_exit_0"
like "$out" '^20 polls: 20 requests, 20 replies, 0 CRC errors, 0 timeouts, 0 exceptions, 0 retries$' \
	"clean_line_has_no_errors"
like "$out" 'round trip min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms' "round_trips_are_shown"
like "$out" '^verdict: line clean: 20 of 20 requests answered' "verdict_says_clean"
pc ping -c 3 -i 0 -q --json
is "$(printf '%s' "$out" | jget replies),$(printf '%s' "$out" | jget crc_errors),$(printf '%s' "$out" | jget line_ok)" \
	"3,0,true" "json_has_the_counters_and_the_verdict"
is "$(printf '%s' "$out" | jget line)" "115200 8E1" "json_names_the_line_settings"
pc ping -c 2 -i 0
like "$err" 'poll 2: reply from address 1 in [0-9.]+ ms' "each_poll_is_shown"

pc -a 9 --timeout 100 --retries 0 ping -c 3 -i 0 -q
is "$rc" 3 "silent_address_exits_3"
like "$err" "no answer to any of 3 requests" "silent_address_verdict"

pc --trace "$tmp/trace" ping -c 2 -i 0 -q
n_tx=$(grep -c ' TX  01 03 00 00 00 01 84 0A$' "$tmp/trace")
n_rx=$(grep -c ' RX  01 03 02 ' "$tmp/trace")
is "$n_tx,$n_rx" "2,2" "trace_has_each_request_and_reply"
like "$(head -n 1 "$tmp/trace")" '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} TX ' "trace_lines_carry_the_time"
# Every bus on the line is traced, a command's own too: scan probes
# through a bus of its own (short timeout, no retries).
pc --trace "$tmp/trace-scan" scan --from 1 --to 4
is "$(grep -Ec ' TX  0[34] 03 00 00 00 01 ' "$tmp/trace-scan")" 2 \
	"trace_has_the_scan's_probes_of_the_absent_addresses"
is "$(grep -c ' (no answer)$' "$tmp/trace-scan")" 2 "trace_has_their_silence"

ctl line pull 60 >/dev/null
pc --timeout 100 --retries 0 ping -c 2 -i 0 -q
is "$rc" 3 "pulled_cable_exits_3"
like "$err" "no answer to any of 2 requests" "pulled_cable_verdict"
ctl line pull 0 >/dev/null

ctl line echo on >/dev/null
pc --retries 0 ping -c 1 -q
like "$err" "our own requests: the adapter echoes what it sends.*add --echo" \
	"an_echoing_adapter_is_named"
pc --echo ping -c 5 -i 0 -q
is "$rc" 0 "echo_reads_through_an_echoing_adapter"
ctl line echo off >/dev/null
sim_stop

# Bit errors: 1e-3 flips about one bit in a thousand both ways, so some 5 %
# of the 7-byte replies (and of the 8-byte requests, which the pile then
# ignores) arrive damaged. Seeded: the same damage every run.
start_sim --piles 1 --ber 1e-3 --seed 7
pc --retries 0 ping -c 400 -i 0 -q --json
is "$rc" 1 "noisy_line_exits_1"
crc=$(printf '%s' "$out" | jget crc_errors)
rep=$(printf '%s' "$out" | jget replies)
to=$(printf '%s' "$out" | jget timeouts)
echo "# 400 polls at ber 1e-3: $rep replies, $crc CRC errors, $to timeouts"
pct=$(( ${crc:-0} * 1000 / (${rep:-0} + ${crc:-0} + 1) ))
[ "$pct" -ge 10 ] && [ "$pct" -le 150 ]
tap $? "crc_errors_in_proportion_to_the_bit_error_rate (${pct} per mille)"
[ "${to:-0}" -gt 0 ]
tap $? "garbled_requests_show_as_timeouts"
like "$err" "CRC errors on [0-9.]+ % of replies: check termination .* and the A/B pair" \
	"verdict_names_termination_and_the_ab_pair"
sim_stop

done_testing
