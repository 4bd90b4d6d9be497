# src/archive: the SQLite archive of pulled records and its exports; and
# src/batch/libwlcsv.a, the whitelist CSV codec (kept here so the batch
# fragment stays its owner's).
noinst_LIBRARIES += src/archive/libarchive.a
src_archive_libarchive_a_SOURCES = src/archive/archive.h \
	src/archive/archive-int.h src/archive/archive.c src/archive/export.c \
	src/archive/signed.c src/archive/custody.c src/archive/verify.c \
	src/archive/series.c
src_archive_libarchive_a_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS) $(CRYPTO_CFLAGS) \
	$(SODIUM_CFLAGS)

noinst_LIBRARIES += src/batch/libwlcsv.a
src_batch_libwlcsv_a_SOURCES = src/batch/wlcsv.h src/batch/wlcsv.c
