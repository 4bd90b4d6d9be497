# tests for batch: unit tests of what people type (durations, times, config,
# keys, the command table) and shell tests of the pilecon program, most of
# them against pilesim on a pseudo-terminal.
check_PROGRAMS += tests/unit-batch-parse tests/unit-batch-config
tests_unit_batch_parse_LDADD = $(PILECON_LDADD)
tests_unit_batch_config_LDADD = $(PILECON_LDADD)
TESTS += tests/unit-batch-parse tests/unit-batch-config
# pilesim's keys.yaml read by pilecon's keys loader: both sides' libraries
check_PROGRAMS += tests/unit-keys-serial
tests_unit_keys_serial_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests $(YAML_CFLAGS) \
	$(SODIUM_CFLAGS)
tests_unit_keys_serial_LDADD = src/batch/libbatch.a src/sim/libsimworld.a $(PILECON_LDADD)
TESTS += tests/unit-keys-serial

BATCH_SH_TESTS = tests/batch-usage.sh tests/batch-manpage.sh tests/batch-complete.sh \
	tests/batch-pilesim.sh
TESTS += $(BATCH_SH_TESTS)
EXTRA_DIST += $(BATCH_SH_TESTS) tests/batch-lib.sh
