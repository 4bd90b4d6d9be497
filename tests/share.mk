# the job runner as the console uses it: turns at the bus, the front end's
# gate (src/batch/job.c)
check_PROGRAMS += tests/unit-runner
tests_unit_runner_SOURCES = tests/unit-runner.c tests/fakeslave.c
tests_unit_runner_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_runner_LDADD = $(PILECON_LDADD) -lutil
TESTS += tests/unit-runner
