# tests of the real line: serial settings and what differs between master and
# pile, the wiring check (ping), auto-detection, RS-485 and adapter settings
# through a fake sysfs, and the install.
LINE_SH_TESTS = tests/line-serial.sh tests/line-ping.sh tests/line-detect.sh tests/line-ports.sh \
	tests/line-install.sh \
	tests/line-deb.sh
TESTS += $(LINE_SH_TESTS)
EXTRA_DIST += $(LINE_SH_TESTS)
