# tests for provisioning and the whitelist at scale: the YAML parser (unit),
# and shell tests of `pilecon provision`, `whitelist sync` and `scan` against
# pilesim. tests/bench/{whitelist-load,whitelist-diff,scan,provision} are
# benchmarks, run on demand (not in make check).
check_PROGRAMS += tests/unit-provision
tests_unit_provision_LDADD = $(PILECON_LDADD)
TESTS += tests/unit-provision
# the whitelist sync planner, a transaction at a time, against the sim world
check_PROGRAMS += tests/unit-wlsync-planner
tests_unit_wlsync_planner_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(SODIUM_CFLAGS)
tests_unit_wlsync_planner_LDADD = src/sim/libsimworld.a $(PILECON_LDADD)
TESTS += tests/unit-wlsync-planner

PROVISION_SH_TESTS = tests/provision-apply.sh tests/provision-invalid.sh \
	tests/provision-wlsync.sh tests/provision-scan.sh tests/provision-complete.sh \
	tests/site-sync.sh tests/provision-custody.sh
TESTS += $(PROVISION_SH_TESTS)
EXTRA_DIST += $(PROVISION_SH_TESTS) tests/provision-lib.sh tests/data/prov-10.yaml \
	tests/data/prov-cards.csv tests/data/prov-bad.yaml \
	tests/bench/whitelist-load tests/bench/whitelist-diff tests/bench/whitelist-stage tests/bench/scan \
	tests/bench/provision tests/bench/bench-lib.sh
