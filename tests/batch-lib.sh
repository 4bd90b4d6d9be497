# batch-lib.sh - sourced by tests/batch-*.sh: a temp HOME, TAP helpers
# (tests/lib.sh under the names these tests use), and pilesim on a
# pseudo-terminal for the tests that need a pile.
. "$top_srcdir/tests/lib.sh"
PILECON=$top_builddir/pilecon
PILESIM=$top_builddir/pilesim
test_setup batch
export LC_ALL=C.UTF-8

tap() { tap_result "$@"; }	# tap STATUS NAME: STATUS 0 passes
is() { tap_is "$@"; }		# is GOT WANT NAME
like() { tap_like "$@"; }	# like GOT REGEX NAME
unlike() { tap_unlike "$@"; }	# unlike GOT REGEX NAME
done_testing() { tap_done; }

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
ctl() { sim_ctl "$tmp/sim" "$@"; }

start_sim() { sim_start "$@"; }	# start_sim ARGS...: pilesim on $tmp/sim
