# src/proto: Modbus RTU framing, register map, codecs (no I/O).
noinst_LIBRARIES += src/proto/libproto.a
src_proto_libproto_a_SOURCES = src/proto/proto.h src/proto/regmap.h \
	src/proto/regmap.c src/proto/crc.c src/proto/frame.c \
	src/proto/names.c src/proto/blocks.c src/proto/record.c \
	src/proto/whitelist.c src/proto/tariff.c src/proto/auth.c
