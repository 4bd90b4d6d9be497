# tests of the sim world: TAP programs driving sim_world_modbus and
# sim_world_ctl in a temp folder (no pty, no socket).
TEST_SIMWORLD_LIBS = src/sim/libsimworld.a src/proto/libprotosig.a src/proto/libproto.a \
	src/libcommon.a $(SODIUM_LIBS) $(CRYPTO_LIBS) $(LIBINTL)
EXTRA_DIST += tests/sim-world-lib.h

check_PROGRAMS += tests/unit-sim-charging tests/unit-sim-store tests/unit-sim-stage \
	tests/unit-sim-custody
tests_unit_sim_charging_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(SODIUM_CFLAGS)
tests_unit_sim_charging_LDADD = $(TEST_SIMWORLD_LIBS)
tests_unit_sim_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(SODIUM_CFLAGS)
tests_unit_sim_store_LDADD = $(TEST_SIMWORLD_LIBS)
tests_unit_sim_stage_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(SODIUM_CFLAGS)
tests_unit_sim_stage_LDADD = $(TEST_SIMWORLD_LIBS)
tests_unit_sim_custody_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(SODIUM_CFLAGS)
tests_unit_sim_custody_LDADD = $(TEST_SIMWORLD_LIBS)
TESTS += tests/unit-sim-charging tests/unit-sim-store tests/unit-sim-stage \
	tests/unit-sim-custody
