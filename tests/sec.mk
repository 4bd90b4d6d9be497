# tests of issue 10's protocol part: writes that carry their own proof
# (protocol 1.1, session.envelope) and piles whose record numbering restarts.
check_PROGRAMS += tests/write-mac-vector
tests_write_mac_vector_SOURCES = tests/write-mac-vector.c
tests_write_mac_vector_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS)
tests_write_mac_vector_LDADD = $(TEST_LINK_LIBS)
SEC_TESTS = tests/write-mac-vector.sh tests/security-write-mac.sh \
	tests/write-mac-compat.sh tests/renumbered-pile-keeps-both-series.sh
TESTS += $(SEC_TESTS)
EXTRA_DIST += $(SEC_TESTS) tests/security-write-mac.py
