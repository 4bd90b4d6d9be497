# interop-lib.sh - sourced by the interop tests: a pilesim bus on a real
# pseudo-terminal in a temp folder, pilecon pointed at it (for the reference
# answer), independent Modbus peers (mbpoll, libmodbus, pymodbus) pointed at
# the same bus, and TAP helpers.

: "${top_builddir:?run through make check}" "${top_srcdir:?}"
PILESIM=$top_builddir/pilesim
PILECON=$top_builddir/pilecon

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pilecon-interop.XXXXXX")
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/share" \
	XDG_STATE_HOME="$tmp/state" TZ=UTC LC_ALL=C.UTF-8
unset PILECON_PORT
simpid=""
bus=""
tap_n=0
tap_failed=0

interop_cleanup() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null
		wait "$simpid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap interop_cleanup EXIT
trap 'exit 1' INT TERM

# skip_all REASON: the whole file is skipped (a missing peer tool).
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# start_sim ARGS...: pilesim in the background on $tmp/sim, waiting (bounded)
# until it says where its bus is; sets $bus.
start_sim() {
	[ -x "$PILESIM" ] || { echo "Bail out! no pilesim at '$PILESIM'"; exit 1; }
	"$PILESIM" --data "$tmp/sim" "$@" >"$tmp/pilesim.log" 2>&1 &
	simpid=$!
	i=0
	until [ -S "$tmp/sim/ctl.sock" ] && grep -q 'pilesim:' "$tmp/pilesim.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$simpid" 2>/dev/null; then
			echo "Bail out! pilesim did not start: $(cat "$tmp/pilesim.log")"
			exit 1
		fi
		sleep 0.05
	done
	bus=$tmp/sim/bus
	[ -e "$bus" ] || bus=$(sed -n 's|.*(\(/dev/[^)]*\)).*|\1|p' "$tmp/pilesim.log" | head -n 1)
}

# stop_sim: SIGTERM, bounded wait; returns pilesim's exit status (so leaks
# and crashes under the sanitizers fail the test that asks).
stop_sim() {
	[ -n "$simpid" ] || return 1
	kill -TERM "$simpid" 2>/dev/null
	i=0
	while kill -0 "$simpid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			kill -KILL "$simpid" 2>/dev/null
			wait "$simpid" 2>/dev/null
			simpid=""
			return 124
		fi
		sleep 0.1
	done
	wait "$simpid"
	rc=$?
	simpid=""
	return $rc
}

ctl() { timeout 20 "$PILESIM" ctl --data "$tmp/sim" "$@"; }
pc() {
	timeout 60 "$PILECON" -p "$bus" -b 115200 --keys "$tmp/sim/keys.yaml" \
		--archive "$tmp/archive.db" "$@"
}

# jget PATH: a value from the JSON document on stdin ("card.last_uid",
# "voltage_dv.0", "length"); arrays index by number.
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

# link_num VALUE: live.link_state as a number, whether pilecon reports it as
# the enum or in words ("online", "offline", "forced offline").
link_num() {
	case $1 in
	0 | 1 | 2) echo "$1" ;;
	online) echo 0 ;;
	offline) echo 1 ;;
	forced*) echo 2 ;;
	*) echo "?$1" ;;
	esac
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
is() {	# is GOT WANT NAME
	if [ "$1" = "$2" ]; then
		tap 0 "$3"
	else
		tap 1 "$3"
		echo "#   got: '$1'"
		echo "#   expected: '$2'"
	fi
}
between() {	# between LOW GOT HIGH NAME: LOW <= GOT <= HIGH, integers
	if [ -n "$1" ] && [ -n "$2" ] && [ -n "$3" ] &&
	    [ "$1" -le "$2" ] 2>/dev/null && [ "$2" -le "$3" ] 2>/dev/null; then
		tap 0 "$4"
	else
		tap 1 "$4"
		echo "#   got: '$2'"
		echo "#   expected between '$1' and '$3'"
	fi
}
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# make_state [N]: pile 1 offline with N (default 1) stored records of card
# 04A1B2C3 (7 kW for an hour each) and one more charge of the same card
# running at 7 kW, so that power, energy, last card UID and unsynced are all
# non-zero.
INTEROP_UID=04A1B2C3
make_state() {
	ms_n=${1:-1}
	ctl whitelist 1 add "$INTEROP_UID" >/dev/null &&
	ctl link 1 down >/dev/null || return 1
	while [ "$ms_n" -gt 0 ]; do
		ctl plug 1 >/dev/null &&
		ctl swipe 1 "$INTEROP_UID" >/dev/null &&
		ctl power 1 7000 >/dev/null &&
		ctl advance 3600 >/dev/null &&
		ctl unplug 1 >/dev/null || return 1
		ms_n=$((ms_n - 1))
	done
	ctl plug 1 >/dev/null &&
	ctl swipe 1 "$INTEROP_UID" >/dev/null &&
	ctl power 1 7000 >/dev/null &&
	ctl advance 600 >/dev/null
}
