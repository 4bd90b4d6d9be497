#!/bin/sh
# soak-outage.sh - the short run of the long-outage soak (issue 12) for
# `make check`: one pile whose store fills while its link is down, with a
# technician's pull --custody, export and cloud import at each visit, or no
# visit, or a store reset after a visit, or the exports carried to the cloud
# at the end; pilecon and pilesim killed at random instants. After each,
# every record the pile numbered is in the cloud exactly once, the sessions
# refused match the pile's counters and capacity (tests/soak.py,
# OutageScenario, says how). Four consecutive seeds run the four kinds.
#
# SOAK_OUTAGES (default 4; 1 in a sanitizer build, where one takes 20 s) and SOAK_SEED (default:
# random, printed) override.
: "${top_builddir:?run through make check}" "${top_srcdir:?}"
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
n=${SOAK_OUTAGES:-}
if [ -z "$n" ]; then
	n=4
	nm "$top_builddir/pilecon" 2>/dev/null | grep -q __asan_init && n=1
fi
set -- --builddir "$top_builddir" --count 0 --outage "$n" --tap
[ -n "${SOAK_SEED:-}" ] && set -- "$@" --seed "$SOAK_SEED"
exec python3 "$top_srcdir/tests/soak.py" "$@"
