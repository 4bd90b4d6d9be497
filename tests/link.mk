# tests for link and pile: ports over a pseudo-terminal and TCP, and the
# Modbus master against a fake slave that misbehaves on command.
TEST_LINK_LIBS = src/pile/libpile.a src/link/liblink.a src/proto/libprotosig.a \
	src/proto/libproto.a src/libcommon.a $(SERIALPORT_LIBS) $(SODIUM_LIBS) \
	$(CRYPTO_LIBS) -lutil
LINK_UNIT_TESTS = tests/unit-link-open tests/unit-pile-bus tests/unit-pile-api \
	tests/unit-link-tune tests/unit-link-resolve
check_PROGRAMS += $(LINK_UNIT_TESTS)
TESTS += $(LINK_UNIT_TESTS)
EXTRA_DIST += tests/fakeslave.h

tests_unit_link_open_LDADD = $(TEST_LINK_LIBS)
tests_unit_pile_bus_SOURCES = tests/unit-pile-bus.c tests/fakeslave.c
tests_unit_pile_bus_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
tests_unit_pile_bus_LDADD = $(TEST_LINK_LIBS)
tests_unit_pile_api_SOURCES = tests/unit-pile-api.c tests/fakeslave.c
tests_unit_pile_api_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
tests_unit_pile_api_LDADD = $(TEST_LINK_LIBS)
tests_unit_link_tune_LDADD = $(TEST_LINK_LIBS)
tests_unit_link_resolve_LDADD = $(TEST_LINK_LIBS)
