# e2e-lib.sh - sourced by the end-to-end tests: a pilesim bus on a real
# pseudo-terminal in a temp folder, pilecon pointed at it, and TAP helpers.

: "${top_builddir:?run through make check}" "${top_srcdir:?}"
PILESIM=$top_builddir/pilesim
PILECON=$top_builddir/pilecon

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-e2e.XXXXXX")
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/share \
	XDG_STATE_HOME=$tmp/state TZ=UTC LC_ALL=C.UTF-8
unset PILECON_PORT
simpid=""
tap_n=0
tap_failed=0

cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# start_sim ARGS...: pilesim in the background, waiting (bounded) until it
# says where its bus is.
start_sim() {
	"$PILESIM" --data "$tmp/sim" "$@" >"$tmp/pilesim.log" 2>&1 &
	simpid=$!
	i=0
	until grep -q 'control socket' "$tmp/pilesim.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$simpid" 2>/dev/null; then
			echo "Bail out! pilesim did not start: $(cat "$tmp/pilesim.log")"
			exit 1
		fi
		sleep 0.05
	done
}

ctl() { timeout 20 "$PILESIM" ctl --data "$tmp/sim" "$@"; }
pc() {
	timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" \
		--archive "$tmp/archive.db" "$@"
}
# jget PATH: a value from the JSON document on stdin ("card.last_uid",
# "0.seq", "length"); arrays index by number.
jget() {
	python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    if k == "length":
        v = len(v)
    elif isinstance(v, list):
        v = v[int(k)]
    else:
        v = v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else ("true" if v is True else "false" if v is False else v))
' "$1"
}

tap() {	# tap STATUS NAME: STATUS 0 is a pass
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
ok() {	# ok NAME COMMAND...: the command succeeds (its output shown on failure)
	name=$1; shift
	if "$@" >"$tmp/ok.out" 2>&1; then
		tap 0 "$name"
	else
		tap 1 "$name"
		sed 's/^/#   /' "$tmp/ok.out"
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

# A tariff with known periods around the test's charges (UTC): valley
# 00-08, peak 08-10, flat 10-12, sharp 12-14, flat 14-18, peak 18-21, valley
# 21-24. Prices in 1e-5 per kWh: sharp 1.2, peak 1.0, flat 0.85, valley 0.4.
TEST_SLOTS=333333333333333311112222000022222222111111333333
TEST_ENERGY=1.20000,1.00000,0.85000,0.40000
TEST_SERVICE=0.40000,0.30000,0.25000,0.10000
