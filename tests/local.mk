# tests: TAP programs and scripts run by `make check`. Each area keeps its
# tests in its own fragment so that work in one does not collide with another.
EXTRA_DIST += tests/tap.h
EXTRA_DIST += tests/lib.sh
TEST_PROTO_LIBS = src/proto/libproto.a

check_PROGRAMS += tests/unit-regmap
tests_unit_regmap_LDADD = $(TEST_PROTO_LIBS)
TESTS += tests/unit-regmap

include tests/proto.mk
include tests/link.mk
include tests/sim.mk
include tests/archive.mk
include tests/batch.mk
include tests/tui.mk
include tests/e2e.mk
include tests/interop.mk
include tests/fuzz.mk
include tests/provision.mk
include tests/faults.mk
include tests/i18n.mk
include tests/engine.mk
include tests/hostile.mk
include tests/sec.mk
include tests/share.mk
include tests/line.mk
