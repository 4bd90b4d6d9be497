# tests of issue 5: nothing lost under faults, crashes and attacks. The soak
# (randomized SIGKILLs, a noisy line, lost cloud acks), the cloud's lost acks,
# a full or read-only archive and export path, and the security of writes
# and keys, all end to end against pilesim over a pseudo-terminal.
FAULTS_TESTS = tests/soak.sh tests/soak-outage.sh tests/nothing-lost-hot-journal.sh tests/nothing-lost-acks.sh tests/nothing-lost-diskfull.sh \
	tests/security-auth.sh tests/security-keys.sh
TESTS += $(FAULTS_TESTS)
EXTRA_DIST += $(FAULTS_TESTS) tests/soak.py tests/security-auth.py tests/bench/soak
