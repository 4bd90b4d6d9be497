# e2e-lib.sh - sourced by the end-to-end tests: a pilesim bus on a real
# pseudo-terminal in a temp folder, pilecon pointed at it, and TAP helpers
# (tests/lib.sh under the names these tests use).
. "$top_srcdir/tests/lib.sh"
PILESIM=$top_builddir/pilesim
PILECON=$top_builddir/pilecon
test_setup e2e
export LC_ALL=C.UTF-8

tap() { tap_result "$@"; }	# tap STATUS NAME: STATUS 0 is a pass
ok() { tap_ok_cmd "$@"; }	# ok NAME COMMAND...: the command succeeds
is() { tap_is "$@"; }		# is GOT WANT NAME
like() { tap_like "$@"; }	# like GOT REGEX NAME
unlike() { tap_unlike "$@"; }	# unlike GOT REGEX NAME
done_testing() { tap_done; }

start_sim() { sim_start "$@"; }	# start_sim ARGS...: pilesim on $tmp/sim
ctl() { sim_ctl "$tmp/sim" "$@"; }
pc() {
	timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/sim/keys.yaml" \
		--archive "$tmp/archive.db" "$@"
}

# A tariff with known periods around the test's charges (UTC): valley
# 00-08, peak 08-10, flat 10-12, sharp 12-14, flat 14-18, peak 18-21, valley
# 21-24. Prices in 1e-5 per kWh: sharp 1.2, peak 1.0, flat 0.85, valley 0.4.
TEST_SLOTS=333333333333333311112222000022222222111111333333
TEST_ENERGY=1.20000,1.00000,0.85000,0.40000
TEST_SERVICE=0.40000,0.30000,0.25000,0.10000
