# src/sim world: the piles, their storage and the emulated cloud, with no
# terminal or socket I/O; pilesim (local.mk) links it, and so do the tests.
noinst_LIBRARIES += src/sim/libsimworld.a
src_sim_libsimworld_a_SOURCES = src/sim/sim.h src/sim/world.h \
	src/sim/world.c src/sim/pile.c src/sim/regs.c src/sim/auth.c \
	src/sim/store.c src/sim/custody.c src/sim/state.c src/sim/wl.c src/sim/cloud.c \
	src/sim/ctl.h src/sim/ctl.c src/sim/ctl-cloud.c src/sim/cloud-import.c src/sim/ctl-sessions.c src/sim/json.c src/sim/storeid.c \
	src/sim/stage.c src/sim/ctl-stage.c src/sim/sign.c
src_sim_libsimworld_a_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS)
