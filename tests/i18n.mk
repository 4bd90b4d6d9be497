# tests for i18n: the Chinese catalog is complete and well-formed, batch mode
# and the console speak it (tests/tui-zh.sh is listed in tests/tui.mk).
I18N_TESTS = tests/i18n-po.sh tests/i18n-batch.sh
TESTS += $(I18N_TESTS)
EXTRA_DIST += $(I18N_TESTS) tests/i18n-lib.sh tests/golden/tui-zh-bus.txt \
	tests/golden/tui-zh-dashboard.txt
