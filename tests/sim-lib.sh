# sim-lib.sh - sourced by the pilesim shell tests (sim-*.sh): pilesim in a
# temp folder, the raw Modbus client, and TAP helpers (tests/lib.sh under the
# names these tests use). Every wait is bounded.
sim_pilesim=${PILESIM:-$top_builddir/pilesim}
. "$top_srcdir/tests/lib.sh"
PILESIM=$sim_pilesim
CLIENT=$top_builddir/tests/sim-client
test_setup sim
export LC_ALL=C

# start_sim DIR ARGS...: pilesim in the background on data folder DIR,
# waiting (at most 10 s) until it is ready; 1 when it did not start.
start_sim() {
	_dir=$1
	shift
	sim_launch "$_dir" "$tmp/pilesim.log" "$@"
}
# stop_sim [SIGNAL]: signals pilesim and waits (at most 10 s); sets
# sim_status to its exit status.
stop_sim() { sim_stop "$@"; }

ctl() { sim_ctl "$@"; }		# ctl DIR ARGS...
client() { timeout 20 "$CLIENT" "$@"; }

tap() { tap_result "$@"; }	# tap STATUS NAME: STATUS 0 is a pass
is() { tap_is "$@"; }		# is GOT WANT NAME
like() { tap_like "$@"; }	# like GOT REGEX NAME
done_testing() { tap_done; }
