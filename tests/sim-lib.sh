# sim-lib.sh - sourced by the pilesim shell tests (sim-*.sh): pilesim in a
# temp folder, the raw Modbus client, and TAP helpers. Every wait is bounded.

: "${top_builddir:?run through make check}" "${top_srcdir:?}"
PILESIM=${PILESIM:-$top_builddir/pilesim}
CLIENT=$top_builddir/tests/sim-client

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilesim-test.XXXXXX")
export LC_ALL=C TZ=UTC
simpid=""
tap_n=0
tap_failed=0

cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_sim DIR ARGS...: pilesim in the background on data folder DIR, waiting
# (at most 10 s) for the line that names its control socket. 1 when it died.
start_sim() {
	dir=$1
	shift
	# The log of a previous run must not pass for this one's start.
	rm -f "$tmp/pilesim.log"
	"$PILESIM" --data "$dir" "$@" >"$tmp/pilesim.log" 2>&1 &
	simpid=$!
	i=0
	until grep -q 'control socket' "$tmp/pilesim.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$simpid" 2>/dev/null; then
			echo "# pilesim did not start: $(cat "$tmp/pilesim.log")"
			simpid=""
			return 1
		fi
		sleep 0.05
	done
}

# stop_sim [SIGNAL]: signals pilesim and waits (at most 10 s); sets
# sim_status to its exit status (not in a subshell: wait needs its parent).
stop_sim() {
	kill -"${1:-TERM}" "$simpid" 2>/dev/null
	# A watchdog bounds the wait: SIGKILL after 10 s.
	( sleep 10; kill -KILL "$simpid" 2>/dev/null ) &
	watchdog=$!
	wait "$simpid" 2>/dev/null
	sim_status=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	simpid=""
}

ctl() { timeout 20 "$PILESIM" ctl --data "$@"; }
client() { timeout 20 "$CLIENT" "$@"; }

tap() {	# tap STATUS NAME: STATUS 0 is a pass
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
is() {	# is GOT WANT NAME
	if [ "$1" = "$2" ]; then
		tap 0 "$3"
	else
		tap 1 "$3"
		echo "#   got: '$1'"
		echo "#   expected: '$2'"
	fi
}
like() {	# like GOT REGEX NAME
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap 0 "$3"
	else
		tap 1 "$3"
		echo "#   got: '$1'"
		echo "#   expected to match: '$2'"
	fi
}
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
