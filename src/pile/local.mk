# src/pile: the Modbus master and the client API both front ends use.
noinst_LIBRARIES += src/pile/libpile.a
src_pile_libpile_a_SOURCES = src/pile/pile.h src/pile/pile-int.h \
	src/pile/bus.c src/pile/pile.c src/pile/auth.c \
	src/pile/whitelist.c src/pile/records.c src/pile/signed.c src/pile/stage.c \
	src/pile/custody.c
src_pile_libpile_a_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
src_pile_libpile_a_SOURCES += src/pile/line.c
