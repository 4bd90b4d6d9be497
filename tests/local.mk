# tests: TAP programs and scripts run by `make check`.
EXTRA_DIST += tests/tap.h
TEST_PROTO_LIBS = src/proto/libproto.a

check_PROGRAMS += tests/unit-regmap
tests_unit_regmap_LDADD = $(TEST_PROTO_LIBS)
TESTS += tests/unit-regmap
