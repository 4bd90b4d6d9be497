#!/bin/sh
# interop-pymodbus.sh - runs tests/interop-pymodbus.py (pymodbus reads the
# identity and live blocks and pulls the records with FC 23) against pilesim,
# with a python3 that has pymodbus (Debian's python3-pymodbus lives in
# /usr/bin/python3 even when another python3 comes first in PATH).

. "$top_srcdir/tests/interop-lib.sh"

# The skip says which piece is missing: pymodbus itself, or its serial
# support (pyserial, and pyserial-asyncio that pymodbus 3.0 imports even for
# its synchronous client).
py=""
why="pymodbus is not installed (apt-get install python3-pymodbus)"
for p in python3 /usr/bin/python3; do
	command -v "$p" >/dev/null 2>&1 || continue
	"$p" -c 'import pymodbus' >/dev/null 2>&1 || continue
	if ! "$p" -c 'import serial' >/dev/null 2>&1; then
		why="pymodbus is installed but pyserial is not, and pymodbus needs it for serial lines (apt-get install python3-serial)"
		continue
	fi
	if ! "$p" -c 'from pymodbus.client import ModbusSerialClient' >/dev/null 2>&1; then
		why="pymodbus is installed but cannot load its serial client: $("$p" -c 'from pymodbus.client import ModbusSerialClient' 2>&1 | tail -n 1) (apt-get install python3-serial-asyncio)"
		continue
	fi
	py=$p
	break
done
[ -n "$py" ] || skip_all "$why"

# pyserial clears INPCK whatever its parity, and a pseudo-terminal keeps no
# PARENB, so pilesim can tell pyserial's parity only for 8N1 and 8O1: the
# pile runs 8N1 here, and pymodbus with it.
INTEROP_FRAMING=8N1
start_sim --piles 3 --baud 115200 -s 8N1 --frozen-clock
make_state 3 || { echo "Bail out! could not set the pile up: $(tail -n 5 "$tmp/pilesim.log")"; exit 1; }

# Commands as JSON lists, so paths with spaces survive.
qjson() { "$py" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"; }
timeout 120 "$py" "$top_srcdir/tests/interop-pymodbus.py" --port "$bus" --addr 1 \
    --uid "$INTEROP_UID" --count-file "$tmp/count" \
    --pilecon "$(qjson "$PILECON" -p "$bus" -b 115200 -s 8N1 --keys "$tmp/sim/keys.yaml" --archive "$tmp/archive.db")" \
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
