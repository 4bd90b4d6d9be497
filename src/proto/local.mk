# src/proto: Modbus RTU framing, register map, codecs (no I/O).
noinst_LIBRARIES += src/proto/libproto.a
src_proto_libproto_a_SOURCES = src/proto/proto.h src/proto/regmap.h \
	src/proto/regmap.c src/proto/crc.c src/proto/frame.c \
	src/proto/names.c src/proto/blocks.c src/proto/record.c \
	src/proto/whitelist.c src/proto/tariff.c src/proto/auth.c \
	src/proto/staging.c \
	src/proto/ocmf.c src/proto/ocmf-parse.c \
	src/proto/export-line.c

# Record signatures through libcrypto, apart so that only the programs that
# sign or check (pilesim, pilecon, their tests) link it.
noinst_LIBRARIES += src/proto/libprotosig.a
src_proto_libprotosig_a_SOURCES = src/proto/sig.h src/proto/sig.c
src_proto_libprotosig_a_CPPFLAGS = $(AM_CPPFLAGS) $(CRYPTO_CFLAGS)

# The protocol man page and the machine-readable map are generated from the
# register map by regmap-doc and committed; tests/regmap-doc.sh fails when
# they drift from the table (GENERATE=1 refreshes them).
noinst_PROGRAMS += src/proto/regmap-doc
src_proto_regmap_doc_SOURCES = src/proto/regmap-doc.c
src_proto_regmap_doc_LDADD = src/proto/libproto.a src/libcommon.a

dist_man_MANS += man/pilecon-protocol.7
pileprofiledir = $(pkgdatadir)/profiles
dist_pileprofile_DATA = data/profiles/pile.yaml
