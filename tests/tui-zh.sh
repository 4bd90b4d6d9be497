#!/bin/sh
# The console in Chinese: the bus view and the dashboard are translated, and
# double-width labels keep every column aligned (display columns, not bytes).
. "$top_srcdir/tests/tui-lib.sh"

have_zh_locale || skip_all "no zh_CN.UTF-8 locale on this machine (scripts/deps generates it)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (it measures display widths)"
# The catalog as it is in the tree, found without 'make install'.
build_catalog

# widths MODE < screen: checks the columns of a captured screen by display
# width (East Asian Wide and Fullwidth characters take two columns).
widths() {
	python3 -c '
import sys, unicodedata
def w(s):
	return sum(0 if unicodedata.combining(c) else
	    2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
def tokens(line):	# (start column, end column, text) of each word
	out, col, i = [], 0, 0
	while i < len(line):
		if line[i] == " ":
			col += 1; i += 1; continue
		j = i
		while j < len(line) and line[j] != " ":
			j += 1
		out.append((col, col + w(line[i:j]), line[i:j]))
		col += w(line[i:j]); i = j
	return out
lines = sys.stdin.read().split("\n")
bad = []
if sys.argv[1] == "bus":
	# Header: addr serial link charge-point power unsynced last-error, each
	# one word in Chinese. Rows: addr serial link cp "P.PP kW" unsynced.
	h = tokens(lines[1])
	if len(h) != 7:
		bad.append("header has %d words, not 7: %r" % (len(h), lines[1]))
	rows = [tokens(l) for l in lines[2:] if l.strip()[:1].isdigit()]
	if len(rows) != 3:
		bad.append("%d pile rows, not 3" % len(rows))
	for r in rows if len(h) == 7 else []:
		if len(r) < 7:
			bad.append("short row %r" % (r,)); continue
		checks = [("addr end", r[0][1], h[0][1]), ("serial", r[1][0], h[1][0]),
		    ("link", r[2][0], h[2][0]), ("charge point", r[3][0], h[3][0]),
		    ("power end", r[5][1], h[4][1]), ("unsynced end", r[6][1], h[5][1])]
		for name, got, want in checks:
			if got != want:
				bad.append("%s: column %d, header says %d in %r" % (name, got, want, r))
else:
	# Dashboard rows 3..: " LABEL  value" or a continuation "   value";
	# every value starts in one display column.
	starts = set()
	for l in lines[2:]:
		t = tokens(l)
		if not l.startswith(" ") or not t:
			continue
		starts.add(t[1][0] if t[0][0] == 1 and len(t) > 1 else t[0][0])
	if len(starts) != 1:
		bad.append("values start in columns %s" % sorted(starts))
for l in lines:
	if w(l) > 80:
		bad.append("line wider than 80 columns: %r" % l)
for b in bad:
	print("# " + b)
sys.exit(1 if bad else 0)
' "$1"
}

start_sim
# A living bus: pile 2 charges (unknown cards accepted), pile 3 lost its
# back-end, so the columns hold values of different widths.
ctl settings 2 unknown-card accept >/dev/null
ctl plug 2 >/dev/null
ctl swipe 2 04A1B2C3 >/dev/null
ctl link 3 down >/dev/null
export LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
start_console 80 24 -a 1 --bus-range 1-3	# no background search in the golden title
wait_for 'SIM-0003' 20
wait_for '总线上有 3 台充电桩应答' 10
ok $? "bus_view_speaks_chinese"
wait_for ' 7\.00 kW' 10
sleep 1
screen >"$tmp/bus.screen"
widths bus <"$tmp/bus.screen"
ok $? "bus_columns_line_up_by_display_width_in_chinese"
golden tui-zh-bus
ok $? "bus_view_in_chinese_matches_golden"

keys 2
wait_for '离线授权' 10
sleep 1
screen >"$tmp/dash.screen"
grep -q '网络' "$tmp/dash.screen" && grep -q '读卡器' "$tmp/dash.screen" &&
    grep -q '桩时钟' "$tmp/dash.screen"
ok $? "dashboard_labels_are_chinese"
widths dashboard <"$tmp/dash.screen"
ok $? "dashboard_values_start_in_one_column_with_chinese_labels"
# The pile clock's drift from this machine can be a second either way.
screen | mask | sed -e 's/与本机一致/DRIFT/' -e 's/比本机[快慢] [0-9]* 秒/DRIFT/' >"$tmp/tui-zh-dashboard.txt"
if [ "${GENERATE:-0}" = 1 ]; then
	cp "$tmp/tui-zh-dashboard.txt" "$top_srcdir/tests/golden/tui-zh-dashboard.txt"
fi
diff -u "$top_srcdir/tests/golden/tui-zh-dashboard.txt" "$tmp/tui-zh-dashboard.txt" >"$tmp/d.diff"
rc=$?
sed 's/^/# /' "$tmp/d.diff"
ok $rc "dashboard_in_chinese_matches_golden"
keys q
done_testing
