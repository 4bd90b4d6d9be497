# batch-lib.sh - sourced by tests/batch-*.sh: a temp HOME, TAP helpers, and
# pilesim on a pseudo-terminal for the tests that need a pile.

: "${top_builddir:?run through make check}" "${top_srcdir:?}"
PILECON=$top_builddir/pilecon
PILESIM=$top_builddir/pilesim

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-batch.XXXXXX")
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/share TZ=UTC LC_ALL=C.UTF-8
unset PILECON_PORT LANGUAGE
simpid=""
tap_n=0
tap_failed=0

cleanup() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null
		wait "$simpid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

tap() {	# tap STATUS NAME: STATUS 0 passes
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
		printf '#   got: %s\n#   expected: %s\n' "$1" "$2"
	fi
}
like() {	# like GOT REGEX NAME
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap 0 "$3"
	else
		tap 1 "$3"
		printf '#   got: %s\n#   wanted: /%s/\n' "$1" "$2"
	fi
}
unlike() {	# unlike GOT REGEX NAME
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap 1 "$3"
		printf '#   got: %s\n#   unwanted: /%s/\n' "$1" "$2"
	else
		tap 0 "$3"
	fi
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# run ARGS...: pilecon with stdout in $out, stderr in $err, status in $rc;
# bounded so a hung pile cannot hang the suite.
run() {
	timeout 60 "$PILECON" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
# pc ARGS...: run against the simulated bus with its keys.
pc() { run -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" --archive "$tmp/archive.db" "$@"; }
ctl() { timeout 20 "$PILESIM" ctl --data "$tmp/sim" "$@"; }

# jget PATH < JSON: one value ("card.last_uid", "entries.0.uid", "entries.length").
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

# start_sim ARGS...: pilesim in the background, waiting (bounded) until it
# prints where its control socket is.
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
