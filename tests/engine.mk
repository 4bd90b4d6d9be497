# tests for the command engine (src/batch/job.[ch]) and the one JSON emitter
# (src/json.[ch]): results, the runner, cancel, and valid JSON whatever the
# bytes.
check_PROGRAMS += tests/unit-json tests/unit-job tests/unit-date
tests_unit_date_LDADD = $(PILECON_LDADD)
tests_unit_json_LDADD = src/libcommon.a
tests_unit_job_SOURCES = tests/unit-job.c tests/fakeslave.c
tests_unit_job_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_job_LDADD = $(PILECON_LDADD) -lutil
TESTS += tests/unit-json tests/unit-job tests/unit-date
# Esc in the middle of provision and resync --wait, at points the test names
check_PROGRAMS += tests/unit-job-cancel
tests_unit_job_cancel_SOURCES = tests/unit-job-cancel.c tests/fakeslave.c
tests_unit_job_cancel_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_job_cancel_LDADD = $(PILECON_LDADD) -lutil
TESTS += tests/unit-job-cancel
TESTS += tests/json-roundtrip.sh tests/text-hostile.sh
EXTRA_DIST += tests/json-roundtrip.sh tests/text-hostile.sh
# logs pull against a 1.1 pile that is not pilesim, forging signatures on the wire
check_PROGRAMS += tests/unit-pull-quarantines-forged
tests_unit_pull_quarantines_forged_SOURCES = tests/unit-pull-quarantines-forged.c tests/fakeslave.c
tests_unit_pull_quarantines_forged_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_pull_quarantines_forged_LDADD = $(PILECON_LDADD) -lutil
TESTS += tests/unit-pull-quarantines-forged
# logs pull --custody a transaction a turn, cancelled at points the test
# controls; the same pull as sub-steps of provisioning's job
check_PROGRAMS += tests/unit-pull-custody
tests_unit_pull_custody_SOURCES = tests/unit-pull-custody.c tests/fakeslave.c
tests_unit_pull_custody_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_pull_custody_LDADD = $(PILECON_LDADD) -lutil
TESTS += tests/unit-pull-custody
# whitelist writes a cancel leaves whole (staging, 1.0 finishing) and
# wlsite's one transaction a step, against pilesim on a pty
check_PROGRAMS += tests/unit-wl-apply
tests_unit_wl_apply_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(YAML_CFLAGS)
tests_unit_wl_apply_LDADD = $(PILECON_LDADD)
TESTS += tests/unit-wl-apply
