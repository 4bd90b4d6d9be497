#!/bin/sh
# interop-pymodbus.sh - runs tests/interop-pymodbus.py (pymodbus reads the
# identity and live blocks and pulls the records with FC 23) against pilesim,
# with a python3 that has pymodbus (Debian's python3-pymodbus lives in
# /usr/bin/python3 even when another python3 comes first in PATH).

. "$top_srcdir/tests/interop-lib.sh"

py=""
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	    "$p" -c 'from pymodbus.client import ModbusSerialClient' >/dev/null 2>&1; then
		py=$p
		break
	fi
done
[ -n "$py" ] || skip_all "pymodbus is not installed (apt-get install python3-pymodbus)"

start_sim --piles 3 --baud 115200 --frozen-clock
make_state 3 || { echo "Bail out! could not set the pile up: $(tail -n 5 "$tmp/pilesim.log")"; exit 1; }

# Commands as JSON lists, so paths with spaces survive.
qjson() { "$py" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"; }
timeout 120 "$py" "$top_srcdir/tests/interop-pymodbus.py" --port "$bus" --addr 1 \
    --uid "$INTEROP_UID" --count-file "$tmp/count" \
    --pilecon "$(qjson "$PILECON" -p "$bus" -b 115200 --keys "$tmp/sim/keys.yaml" --archive "$tmp/archive.db")" \
    --records "$(qjson "$PILESIM" ctl --data "$tmp/sim" pile records 1 --json)"
rc=$?
if [ -s "$tmp/count" ]; then
	read -r tap_n tap_failed <"$tmp/count"
else
	tap_n=0
	tap_failed=0
	tap 1 "interop_pymodbus_py_ran_to_the_end (exit $rc)"
fi
tap "$([ "$rc" -eq 0 ] || [ "$tap_failed" -gt 0 ]; echo $?)" "interop_pymodbus_py_exits_0_unless_a_test_failed"
stop_sim
tap $? "pilesim_exits_cleanly_on_sigterm"
done_testing
