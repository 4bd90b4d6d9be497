# tests for sim: the pilesim shell (bus, framing, pacing, control socket).
# The world's own tests come from sim-world.mk.
include tests/sim-world.mk

check_PROGRAMS += tests/sim-client
tests_sim_client_SOURCES = tests/sim-client.c
tests_sim_client_LDADD = src/proto/libproto.a src/libcommon.a

TESTS += tests/sim-bus.sh tests/sim-pace.sh tests/sim-line.sh tests/sim-options.sh
EXTRA_DIST += tests/sim-bus.sh tests/sim-pace.sh tests/sim-line.sh tests/sim-options.sh \
	tests/sim-lib.sh
