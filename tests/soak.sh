#!/bin/sh
# soak.sh - the short soak run by `make check`: randomized scenarios of
# charging, pulls, exports and resyncs with pilecon and pilesim killed
# (SIGKILL) at random instants, a noisy line and lost cloud acks; after each,
# every record is on the pile, in the archive, in the cloud and in the export
# exactly once, unaltered (tests/soak.py says how). Then scenarios where a
# pile's store is reset between pulls (issue 10): every series of every
# store in the archive and the export, 0 lost. One TAP line per scenario.
#
# SOAK_SCENARIOS (default 50; 12 in a sanitizer build, whose processes start
# several times slower), SOAK_RESETS (default 3; 1 in a sanitizer build) and
# SOAK_SEED (default: random, printed) override.
: "${top_builddir:?run through make check}" "${top_srcdir:?}"
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
n=${SOAK_SCENARIOS:-}
r=${SOAK_RESETS:-}
san=0
nm "$top_builddir/pilecon" 2>/dev/null | grep -q __asan_init && san=1
[ -z "$n" ] && { n=50; [ $san = 1 ] && n=12; }
[ -z "$r" ] && { r=3; [ $san = 1 ] && r=1; }
set -- --builddir "$top_builddir" --count "$n" --reset "$r" --tap
[ -n "${SOAK_SEED:-}" ] && set -- "$@" --seed "$SOAK_SEED"
exec python3 "$top_srcdir/tests/soak.py" "$@"
