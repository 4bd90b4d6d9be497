#!/bin/sh
# sim-options.sh - pilesim's command line: every bad option value is refused
# with exit 2 and a message naming the option and the value, before pilesim
# touches its data folder; a good set of options starts the piles it names.
. "${top_srcdir:?}/tests/sim-lib.sh"

data=$tmp/sim
# refused ARGS... -- REGEX NAME: pilesim exits 2 and says REGEX on stderr.
refused() {
	_args=
	while [ "$1" != -- ]; do _args="$_args $1"; shift; done
	shift
	# shellcheck disable=SC2086
	timeout 10 "$PILESIM" -d "$data" $_args >/dev/null 2>"$tmp/err"
	_st=$?
	is "$_st" 2 "$2_exits_2"
	like "$(head -1 "$tmp/err")" "$1" "$2_says_why"
}

refused --protocol 1.2 -- "unknown protocol '1\.2'" protocol_unknown
refused --protocol 3junk:1.0 -- "invalid --protocol '3junk:1\.0'" protocol_address_with_junk
refused --protocol 0:1.1 -- "invalid --protocol '0:1\.1'" protocol_address_0
refused --protocol 248:1.1 -- "invalid --protocol '248:1\.1'" protocol_address_248
refused --protocol 3:2.0 -- "invalid --protocol '3:2\.0'" protocol_address_bad_version
refused --baud 123 -- "unsupported baud rate '123'" baud_unsupported
refused --baud x -- "invalid value 'x' for --baud" baud_not_a_number
refused --parity mark -- "invalid parity 'mark'" parity_unknown
refused --stop-bits 3 -- "invalid value '3' for --stop-bits" stop_bits_3
refused --framing 7E1 -- "invalid framing '7E1'" framing_7_bits
refused --ber 2 -- "invalid rate '2' for --ber" ber_above_1
refused --drop -0.1 -- "invalid rate '-0\.1' for --drop" drop_negative
refused --truncate x -- "invalid rate 'x' for --truncate" truncate_not_a_number
refused --drop-broadcast 1.5 -- "invalid rate '1\.5' for --drop-broadcast" drop_broadcast_above_1
refused --drop-pile x -- "invalid --drop-pile 'x'" drop_pile_no_address
refused --serial 3: -- "invalid --serial '3:'" serial_empty
refused --serial 0:X -- "invalid --serial '0:X'" serial_address_0
refused --serial 3:ABCDEFGHIJKLMNOPQ -- "invalid --serial '3:ABCDEFGHIJKLMNOPQ'" serial_17_bytes
refused --full-policy nah -- "unknown full policy 'nah'" full_policy_unknown
refused --piles 0 -- "invalid value '0' for --piles" piles_0
refused --piles 248 -- "invalid value '248' for --piles" piles_248
refused --wl-capacity 0 -- "invalid value '0' for --wl-capacity" wl_capacity_0
refused --record-capacity 1000001 -- "invalid value '1000001' for --record-capacity" record_capacity_too_big
refused --clock 0 -- "invalid value '0' for --clock" clock_0
refused --latency-ms 60001 -- "invalid value '60001' for --latency-ms" latency_too_big
refused --seed -1 -- "invalid value '-1' for --seed" seed_negative
refused --bogus -- "unrecognized option '--bogus'" unknown_option
refused extra -- "unexpected argument 'extra'" stray_argument
refused --device /dev/null --link x -- "--link and --device exclude each other" device_and_link
[ ! -e "$data" ]
tap $? refusals_touch_no_data_folder

timeout 10 "$PILESIM" >/dev/null 2>"$tmp/err"
is "$?" 2 missing_data_exits_2
like "$(head -1 "$tmp/err")" "missing --data DIR" missing_data_says_why

out=$(timeout 10 "$PILESIM" --help)
is "$?" 0 help_exits_0
like "$out" "^usage: pilesim --data DIR" help_prints_usage

start_sim "$data" --piles 2 --protocol 1:1.0 --serial '2:ODD"NAME' --framing 8N1 \
	--baud 19200 || { echo "Bail out! pilesim did not start"; exit 1; }
like "$(client "$data/bus" identity 2)" "^serial ODD\"NAME " good_options_give_the_serial_asked
like "$(cat "$tmp/pilesim.log")" "2 piles on .*19200 baud 8N1" good_options_give_the_line_asked
stop_sim
is "$sim_status" 0 pilesim_stops_cleanly
done_testing
