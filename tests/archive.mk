# tests for archive: the SQLite store, its exports, and the whitelist CSV codec.
TEST_ARCHIVE_LIBS = src/archive/libarchive.a src/proto/libprotosig.a src/proto/libproto.a \
	src/libcommon.a $(SQLITE_LIBS) $(CRYPTO_LIBS) $(SODIUM_LIBS)

check_PROGRAMS += tests/unit-archive tests/unit-wlcsv tests/unit-archive-v1
tests_unit_archive_v1_SOURCES = tests/unit-archive-v1.c
tests_unit_archive_v1_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_unit_archive_v1_LDADD = $(TEST_ARCHIVE_LIBS)
tests_unit_archive_SOURCES = tests/unit-archive.c
tests_unit_archive_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_unit_archive_LDADD = $(TEST_ARCHIVE_LIBS)
tests_unit_wlcsv_SOURCES = tests/unit-wlcsv.c
tests_unit_wlcsv_LDADD = src/batch/libwlcsv.a src/proto/libproto.a src/libcommon.a
TESTS += tests/unit-archive tests/unit-wlcsv tests/unit-archive-v1

# issue 10: a renumbered pile keeps both series; schema 1 and 2 upgrade to 3
check_PROGRAMS += tests/unit-archive-series
tests_unit_archive_series_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_unit_archive_series_LDADD = $(TEST_ARCHIVE_LIBS)
TESTS += tests/unit-archive-series

EXTRA_DIST += tests/data/wl-good.csv tests/data/wl-good-bom-crlf.csv tests/data/wl-bad-uid.csv \
	tests/data/wl-bad-quote.csv tests/data/wl-bad-stray-quote.csv \
	tests/data/wl-bad-after-quote.csv tests/data/wl-bad-duplicate.csv \
	tests/data/wl-bad-columns.csv tests/data/wl-bad-date.csv \
	tests/data/wl-bad-status.csv tests/data/wl-bad-holder-long.csv \
	tests/data/wl-bad-holder-utf8.csv tests/data/wl-bad-header.csv \
	tests/data/wl-bad-utf16.csv tests/data/wl-bad-nul.csv

# tests/bench/pull: an archive of N signed records, to time `logs verify`.
noinst_PROGRAMS += tests/bench/mkarchive
tests_bench_mkarchive_SOURCES = tests/bench/mkarchive.c
tests_bench_mkarchive_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_bench_mkarchive_LDADD = $(TEST_ARCHIVE_LIBS)
