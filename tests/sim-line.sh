#!/bin/sh
# sim-line.sh - pilesim's line emulator: lost, truncated and corrupted
# frames, a pulled cable, busy piles, all from options or `pilesim ctl line`,
# and the same damage for the same seed.
. "${top_srcdir:?}/tests/sim-lib.sh"

data=$tmp/sim
start_sim "$data" --piles 2 || { echo "Bail out! pilesim did not start"; exit 1; }

ctl "$data" line drop 1 >/dev/null
is "$(client -t 300 "$data/bus" identity 1)" timeout line_drop_1_loses_every_frame
ctl "$data" line off >/dev/null
like "$(client "$data/bus" identity 1)" '^serial SIM-0001 ' line_off_restores_the_line

ctl "$data" line truncate 1 >/dev/null
out=$(client -t 400 "$data/bus" identity 1)
st=$?
like "$out" '^garbled( [0-9a-f]{2})+$' line_truncate_1_cuts_replies_short
is "$st" 5 truncated_reply_is_not_taken_for_a_whole_one
ctl "$data" line truncate 0 >/dev/null

ctl "$data" line busy 2 on >/dev/null
is "$(client "$data/bus" identity 2)" "exception 6" busy_pile_answers_exception_06
like "$(client "$data/bus" identity 1)" '^serial SIM-0001 ' other_pile_answers_while_one_is_busy
ctl "$data" line busy 2 off >/dev/null
like "$(client "$data/bus" identity 2)" '^serial SIM-0002 ' busy_off_restores_the_pile
out=$(ctl "$data" line busy 3 on 2>&1)
st=$?
like "$out" "no pile at address '3'" busy_for_an_address_without_a_pile_is_refused
is "$st" 1 busy_for_an_address_without_a_pile_exits_1

ctl "$data" line pull 1 >/dev/null
is "$(client -t 300 "$data/bus" identity 1)" timeout pulled_cable_gets_no_reply
like "$(ctl "$data" line show)" 'cable      pulled' line_show_reports_the_pulled_cable
sleep 1
like "$(client "$data/bus" identity 1)" '^serial SIM-0001 ' cable_is_back_after_the_pull_time

out=$(ctl "$data" line ber 2 2>&1)
st=$?
like "$out" "invalid rate '2'" ber_above_1_is_refused
is "$st" 2 invalid_rate_exits_2

ctl "$data" line ber 1 >/dev/null
out=$(client -t 300 "$data/bus" identity 1)
is "$out" timeout ber_1_garbles_every_request
like "$(ctl "$data" line show)" 'crc_errors [1-9]|frame_errors [1-9]|partial +[1-9]' garbled_requests_are_counted
ctl "$data" line off >/dev/null
stop_sim TERM

# Same seed, same frames: same damage.
run_noisy() {	# run_noisy SEED: outcomes of 12 identity reads, one a line
	start_sim "$data" --piles 1 --seed "$1" --ber 4e-4 || return 1
	n=0
	while [ $n -lt 12 ]; do
		client -t 200 "$data/bus" identity 1 | cut -c1-40
		n=$((n + 1))
	done
	stop_sim TERM
}
a=$(run_noisy 7)
b=$(run_noisy 7)
is "$b" "$a" same_seed_gives_the_same_damage
echo "$a" | grep -q '^serial SIM-0001' && echo "$a" | grep -qv '^serial SIM-0001'
tap $? "noisy_line_lets_some_frames_through_and_damages_others"
[ $? -eq 0 ] || printf '#   %s\n' $a

out=$(timeout 20 "$PILESIM" --data "$data" --drop 1.5 2>&1)
st=$?
like "$out" "invalid rate '1.5' for --drop" drop_option_rejects_a_rate_above_1
is "$st" 2 bad_rate_option_exits_2

done_testing
