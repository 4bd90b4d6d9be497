# tests for proto: unit tests of framing, CRCs, codecs and tariff math, and
# the check that the generated protocol docs match the register map.
PROTO_UNIT_TESTS = tests/unit-proto-crc tests/unit-proto-frame \
	tests/unit-proto-record tests/unit-proto-tariff \
	tests/unit-proto-whitelist tests/unit-proto-blocks
check_PROGRAMS += $(PROTO_UNIT_TESTS)
TESTS += $(PROTO_UNIT_TESTS) tests/regmap-doc.sh
EXTRA_DIST += tests/regmap-doc.sh
tests_unit_proto_crc_LDADD = $(TEST_PROTO_LIBS)
tests_unit_proto_frame_LDADD = $(TEST_PROTO_LIBS)
tests_unit_proto_record_LDADD = $(TEST_PROTO_LIBS)
tests_unit_proto_tariff_LDADD = $(TEST_PROTO_LIBS)
tests_unit_proto_whitelist_LDADD = $(TEST_PROTO_LIBS)
tests_unit_proto_blocks_LDADD = $(TEST_PROTO_LIBS)

# The OCMF payload and the record signatures (libcrypto).
check_PROGRAMS += tests/unit-proto-ocmf
tests_unit_proto_ocmf_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)
tests_unit_proto_ocmf_LDADD = src/proto/libprotosig.a $(TEST_PROTO_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit-proto-ocmf
