#!/bin/sh
# sim-pace.sh - pilesim paces the wire at the baud rate (11 bits a byte at
# the default 8E1, 10 at 8N1):
# a reply never arrives before the line could have carried it. Lower bounds
# only: a busy machine may be slower, never faster.
. "${top_srcdir:?}/tests/sim-lib.sh"

# elapsed_us OUTPUT / first_byte_us OUTPUT
elapsed() { printf '%s\n' "$1" | awk '/^elapsed_us/ { print $2 }'; }
first() { printf '%s\n' "$1" | awk '/^elapsed_us/ { print $4 }'; }
# wire_us BYTES BAUD [BITS]: microseconds BYTES take at BITS (11) each
wire_us() { echo $(( ($1 * ${3:-11} * 1000000 + $2 - 1) / $2 )); }
atleast() {	# atleast GOT MIN NAME
	if [ -n "$1" ] && [ "$1" -ge "$2" ]; then
		tap 0 "$3"
	else
		tap 1 "$3"
		echo "#   got ${1:-nothing} us, expected at least $2 us"
	fi
}

data=$tmp/sim
start_sim "$data" --pace --baud 9600 || { echo "Bail out! pilesim did not start"; exit 1; }
like "$(head -n 1 "$tmp/pilesim.log")" ', 9600 baud 8E1$' startup_line_names_the_baud_rate_and_framing

# FC 03 of 125 registers: an 8-byte request, a 255-byte reply, t3.5 between
# (3.5 characters of 11 bits at 9600 baud: 4011 us).
out=$(client -T -t 5000 "$data/bus" read 1 0x1002 125)
like "$out" 'regs( [0-9]+){125}$' paced_125_register_read_is_answered
atleast "$(elapsed "$out")" $(( $(wire_us 263 9600) + 4011 )) \
	paced_125_register_read_takes_at_least_its_wire_time
# The reply is written as the line carries it, not in one burst.
e=$(elapsed "$out")
f=$(first "$out")
# (240 of the 254 character times between first and last byte: a late
# first read under load must not fail it; a burst would give almost 0.)
atleast "$((e - f))" "$(wire_us 240 9600)" reply_bytes_arrive_spread_over_the_reply_s_wire_time
atleast "$f" $(( $(wire_us 8 9600) + 4011 )) first_reply_byte_waits_for_request_and_t35

stop_sim TERM

# --latency-ms is added before every reply (a USB adapter's latency timer).
start_sim "$data" --baud 115200 --latency-ms 40 || true
out=$(client -T -t 5000 "$data/bus" identity 1)
like "$out" 'serial SIM-0001' identity_is_read_with_latency
atleast "$(elapsed "$out")" $(( 40000 + $(wire_us 8 115200) + 1750 + $(wire_us 113 115200) )) \
	latency_ms_delays_the_reply

# ... and `line latency MS` at run time.
ctl "$data" line latency 150 >/dev/null
out=$(client -T -t 5000 "$data/bus" identity 1)
atleast "$(elapsed "$out")" 150000 line_latency_set_at_run_time_delays_the_reply
stop_sim TERM

done_testing
