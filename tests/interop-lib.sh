# interop-lib.sh - sourced by the interop tests: a pilesim bus on a real
# pseudo-terminal in a temp folder, pilecon pointed at it (for the reference
# answer), independent Modbus peers (mbpoll, libmodbus, pymodbus) pointed at
# the same bus, and TAP helpers (tests/lib.sh under the names they use).
. "$top_srcdir/tests/lib.sh"
PILESIM=$top_builddir/pilesim
PILECON=$top_builddir/pilecon
test_setup interop
export LC_ALL=C.UTF-8
bus=""

tap() { tap_result "$@"; }	# tap STATUS NAME: STATUS 0 is a pass
is() { tap_is "$@"; }		# is GOT WANT NAME
skip_all() { tap_skip_all "$@"; }	# skip_all REASON: a missing peer tool
done_testing() { tap_done; }
between() {	# between LOW GOT HIGH NAME: LOW <= GOT <= HIGH, integers
	if [ -n "$1" ] && [ -n "$2" ] && [ -n "$3" ] &&
	    [ "$1" -le "$2" ] 2>/dev/null && [ "$2" -le "$3" ] 2>/dev/null; then
		tap_result 0 "$4"
	else
		tap_result 1 "$4"
		tap_diag "got: '$2'"
		tap_diag "expected between '$1' and '$3'"
	fi
}

# start_sim ARGS...: pilesim in the background on $tmp/sim; sets $bus.
start_sim() {
	[ -x "$PILESIM" ] || tap_bail "no pilesim at '$PILESIM'"
	sim_start "$@"
	bus=$tmp/sim/bus
	[ -e "$bus" ] || bus=$(sed -n 's|.*(\(/dev/[^)]*\)).*|\1|p' "$tmp/pilesim.log" | head -n 1)
}
# stop_sim: SIGTERM, bounded wait; returns pilesim's exit status (so leaks
# and crashes under the sanitizers fail the test that asks).
stop_sim() { sim_stop; }

ctl() { sim_ctl "$tmp/sim" "$@"; }
# INTEROP_FRAMING: the pile's framing (pilesim -s) for pilecon too.
INTEROP_FRAMING=${INTEROP_FRAMING:-8E1}
pc() {
	timeout 60 "$PILECON" -p "$bus" -b 115200 -s "$INTEROP_FRAMING" --keys "$tmp/sim/keys.yaml" \
		--archive "$tmp/archive.db" "$@"
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
