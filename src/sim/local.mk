# src/sim: pilesim, a reference pile. The world (piles, cloud, storage) comes
# from sim-world.mk as src/sim/libsimworld.a; this fragment builds the shell
# around it: bus, pacing, line emulator, control socket.
include src/sim/sim-world.mk

bin_PROGRAMS += pilesim
pilesim_SOURCES = src/sim/sim.h src/sim/shell.h src/sim/sim-main.c \
	src/sim/bus.c src/sim/line.c src/sim/uart.c src/sim/ctlsock.c src/sim/ctl-client.c
dist_man_MANS += man/pilesim.1
pilesim_LDADD = src/sim/libsimworld.a src/proto/libprotosig.a src/proto/libproto.a \
	src/libcommon.a $(SODIUM_LIBS) $(CRYPTO_LIBS) $(LIBINTL)
