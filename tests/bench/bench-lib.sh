# bench-lib.sh - sourced by tests/bench/{whitelist-load,whitelist-diff,scan,
# provision}: an optimised build of our own, a temp HOME, pilesim control and
# a timer. Usage of each bench: BENCH [-B BUILD_DIR] [-b BAUD].
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build/bench-prov
baud=115200
while [ $# -gt 0 ]; do
	case $1 in
	-B) build=$2; shift 2 ;;
	-b) baud=$2; shift 2 ;;
	-h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$(basename "$0"): unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
done
case $build in /*) ;; *) build=$top/$build ;; esac
if [ ! -f "$build/Makefile" ]; then
	echo "$(basename "$0"): building in $build" >&2
	"$top/scripts/build" "$build" >&2
fi
make -s -C "$build" pilesim pilecon >&2
PILESIM=$build/pilesim
PILECON=$build/pilecon

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-bench.XXXXXX")
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/share" \
	XDG_STATE_HOME="$tmp/state" TZ=UTC LC_ALL=C.UTF-8
unset PILECON_PORT
simpid=""
sim_stop() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null || true
		wait "$simpid" 2>/dev/null || true
		simpid=""
	fi
}
cleanup() {
	sim_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

sim_start() {	# sim_start ARGS...: pilesim on $tmp/sim, bounded wait
	rm -f "$tmp/pilesim.log"
	"$PILESIM" --data "$tmp/sim" "$@" >"$tmp/pilesim.log" 2>&1 &
	simpid=$!
	i=0
	until grep -q 'control socket' "$tmp/pilesim.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$simpid" 2>/dev/null; then
			echo "pilesim did not start: $(cat "$tmp/pilesim.log")" >&2
			exit 1
		fi
		sleep 0.05
	done
}
pc() { "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" "$@"; }

# timed VAR CMD...: runs CMD (output to $tmp/last.out), seconds in VAR.
timed() {
	_v=$1
	shift
	_t0=$(date +%s.%N)
	"$@" >"$tmp/last.out" 2>"$tmp/last.err" || {
		echo "failed: $*" >&2
		cat "$tmp/last.err" >&2
		exit 1
	}
	_t1=$(date +%s.%N)
	eval "$_v=$(awk -v a="$_t1" -v b="$_t0" 'BEGIN { printf "%.3f", a - b }')"
}
fmt() { printf '%.2f' "$1"; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# cards N [BASE]: a whitelist CSV of N cards with UTF-8 holders.
cards() {
	python3 -c '
import sys
n, base = int(sys.argv[1]), int(sys.argv[2], 16)
print("uid,status,expires,holder")
for i in range(n):
    print("%08X,accepted,2027-12-31,持卡人 %d" % (base + i * 7, i))' "$1" "${2:-10000000}"
}
