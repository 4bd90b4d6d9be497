# tests for hostile buses and hostile files (issue 10): one per class, named
# after it. Unit tests here; shell tests against pilesim below.
check_PROGRAMS += tests/unit-untrusted-text
tests_unit_untrusted_text_LDADD = $(PILECON_LDADD)
TESTS += tests/unit-untrusted-text

HOSTILE_SH_TESTS = tests/untrusted-text-stays-text.sh
TESTS += $(HOSTILE_SH_TESTS)
EXTRA_DIST += $(HOSTILE_SH_TESTS)
