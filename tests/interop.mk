# tests for interop: independent Modbus masters (mbpoll, libmodbus, pymodbus)
# read and write a simulated pile using only the published register map. Each
# test skips, saying why, when its peer is not installed.
INTEROP_TESTS = tests/interop-mbpoll.sh tests/interop-libmodbus.sh \
	tests/interop-pymodbus.sh
TESTS += $(INTEROP_TESTS)
EXTRA_DIST += $(INTEROP_TESTS) tests/interop-lib.sh tests/interop-pymodbus.py \
	tests/interop-libmodbus.c tests/bench/README tests/bench/pull \
	tests/bench/plain-client.c

if HAVE_MODBUS
# The libmodbus peer is a helper program the .sh test runs, not a test itself;
# it must not link any pilecon code (an independent reading of the map).
check_PROGRAMS += tests/interop-libmodbus
tests_interop_libmodbus_SOURCES = tests/interop-libmodbus.c
tests_interop_libmodbus_CPPFLAGS = $(AM_CPPFLAGS) $(MODBUS_CFLAGS)
tests_interop_libmodbus_LDADD = $(MODBUS_LIBS)

# tests/bench/pull: the plain FC 16 + FC 03 client the log pull is measured
# against (not a test; tests/bench/README).
noinst_PROGRAMS += tests/bench/plain-client
tests_bench_plain_client_SOURCES = tests/bench/plain-client.c
tests_bench_plain_client_CPPFLAGS = $(AM_CPPFLAGS) $(MODBUS_CFLAGS)
tests_bench_plain_client_LDADD = $(MODBUS_LIBS)
endif
