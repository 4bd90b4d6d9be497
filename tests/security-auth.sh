#!/bin/sh
# Writes need a session opened with the pile's key: every write without one
# is refused with exception 01; replayed, foreign and expired responses open
# nothing; 100 wrong keys take the lockout time the design gives. The frames
# come from tests/security-auth.py, a Modbus master that knows only the
# published map. The session idle time is cut to 1.5 s for the test. The
# pile speaks protocol 1.0, whose sessions take plain writes;
# tests/security-write-mac.sh holds a 1.1 pile to its envelopes.
. "$top_srcdir/tests/e2e-lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
PILESIM_SESSION_IDLE_MS=1500
export PILESIM_SESSION_IDLE_MS
start_sim --piles 2 --frozen-clock --protocol 1.0
ctl whitelist 1 add 04A1B2C3 >/dev/null
timeout 300 python3 "$top_srcdir/tests/security-auth.py" "$tmp/sim/bus" \
	"$tmp/sim/keys.yaml" "$PILESIM" "$tmp/sim" 1500
