# tests for hostile buses and hostile files (issue 10): one per class, named
# after it. Unit tests here; shell tests against pilesim below.
check_PROGRAMS += tests/unit-untrusted-text
tests_unit_untrusted_text_LDADD = $(PILECON_LDADD)
TESTS += tests/unit-untrusted-text

HOSTILE_SH_TESTS = tests/untrusted-text-stays-text.sh \
	tests/inputs-every-document-true-position.sh tests/exit-codes-follow-one-rule.sh \
	tests/one-outcome-per-command.sh tests/tui-failed-command-says-why.sh \
	tests/pull-on-a-noisy-line-never-says-up-to-date.sh
TESTS += $(HOSTILE_SH_TESTS)
EXTRA_DIST += $(HOSTILE_SH_TESTS)

HOSTILE_ARCHIVE_LIBS = src/archive/libarchive.a src/proto/libprotosig.a src/proto/libproto.a \
	src/libcommon.a $(SQLITE_LIBS) $(CRYPTO_LIBS)
check_PROGRAMS += tests/unit-export-never-replaces-a-device
tests_unit_export_never_replaces_a_device_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_unit_export_never_replaces_a_device_LDADD = $(HOSTILE_ARCHIVE_LIBS)
TESTS += tests/unit-export-never-replaces-a-device
EXTRA_DIST += tests/hostile-files.h
check_PROGRAMS += tests/unit-files-owner-only tests/unit-refusal-modifies-nothing
tests_unit_files_owner_only_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_unit_files_owner_only_LDADD = $(HOSTILE_ARCHIVE_LIBS)
tests_unit_refusal_modifies_nothing_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
tests_unit_refusal_modifies_nothing_LDADD = $(HOSTILE_ARCHIVE_LIBS)
TESTS += tests/unit-files-owner-only tests/unit-refusal-modifies-nothing
