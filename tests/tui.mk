# tests for tui: the console under tmux against pilesim (tests/tui-lib.sh)
TUI_TESTS = tests/tui-bus.sh tests/tui-dashboard.sh tests/tui-whitelist.sh \
	tests/tui-records.sh tests/tui-unplug.sh tests/tui-zh.sh \
	tests/tui-share.sh tests/tui-line.sh tests/tui-reconnect.sh \
	tests/tui-whole-bus.sh tests/tui-connect.sh tests/tui-detect.sh tests/tui-jobs.sh \
	tests/tui-reconnect-tcp.sh tests/tui-resolve.sh tests/tui-discover.sh \
	tests/tui-custody.sh tests/tui-wl-stage.sh
TESTS += $(TUI_TESTS)
EXTRA_DIST += $(TUI_TESTS) tests/tui-lib.sh tests/tui-keys.py tests/sim-fill.py tests/tcp-bridge.py tests/dns-silent.py \
	tests/golden/tui-bus.txt \
	tests/golden/tui-help.txt tests/golden/tui-help-2.txt tests/golden/tui-help-3.txt \
	tests/golden/tui-line.txt
