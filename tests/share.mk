# tests for port sharing (src/batch/share.[ch], src/tui/share.c): socket
# names and rights, frames; the two-terminal test is tests/tui-share.sh.
check_PROGRAMS += tests/unit-share
tests_unit_share_LDADD = $(PILECON_LDADD)
TESTS += tests/unit-share
# the runner as the console uses it: turns at the bus, the front end's gate
check_PROGRAMS += tests/unit-runner
tests_unit_runner_SOURCES = tests/unit-runner.c tests/fakeslave.c
tests_unit_runner_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_runner_LDADD = $(PILECON_LDADD) -lutil
TESTS += tests/unit-runner
