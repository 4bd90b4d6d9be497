# i18n-lib.sh - sourced by tests/i18n-*.sh: tests/lib.sh (TAP, a private
# temp folder, pilesim, the Chinese catalog built from po/zh_CN.po) under the
# names these tests use.
set -u
. "$top_srcdir/tests/lib.sh"
PILESIM=$top_builddir/pilesim
test_setup i18n

ok() { tap_result "$@"; }	# ok STATUS NAME: STATUS 0 is a pass
skip_all() { tap_skip_all "$@"; }
done_testing() { tap_done; }
# start_sim ARGS...: pilesim on $tmp/sim (in the caller's locale).
start_sim() { sim_start "$@"; }

