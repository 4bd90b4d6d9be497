#!/bin/sh
# i18n-batch.sh - pilecon's batch mode under LANG=zh_CN.UTF-8 speaks Chinese
# (help, usage errors, a status read from pilesim, errors from the bus), and
# what scripts read (--json) stays English.
. "$top_srcdir/tests/i18n-lib.sh"

have_zh_locale || skip_all "no zh_CN.UTF-8 locale on this machine (scripts/deps generates it)"
[ -x "$top_builddir/pilecon" ] || skip_all "pilecon is not built"
[ -x "$top_builddir/pilesim" ] || skip_all "pilesim is not built"
build_catalog

zh() { LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 timeout 20 "$top_builddir/pilecon" "$@"; }

zh --help >"$tmp/help" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^用法：pilecon ' "$tmp/help" && grep -q '^命令：' "$tmp/help" &&
    grep -q '^  status  *显示充电桩的身份和实时状态' "$tmp/help"
ok $? "help_is_chinese"

LANG=C.UTF-8 LC_ALL=C.UTF-8 timeout 20 "$top_builddir/pilecon" --help >"$tmp/help-c" 2>&1
grep -q '^usage: pilecon ' "$tmp/help-c" && ! grep -q '用法' "$tmp/help-c"
ok $? "help_is_english_in_the_c_locale"

zh no-such-command >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "^pilecon: 未知命令 'no-such-command'" "$tmp/err" &&
    grep -q '^用法：' "$tmp/err"
ok $? "usage_error_is_chinese_and_exits_2"
sed 's/^/# /' "$tmp/err" | head -5

zh -p /dev/null offline on --for 9d >"$tmp/out" 2>"$tmp/err"
grep -q '7d' "$tmp/err" && grep -q '太长\|最多' "$tmp/err"
ok $? "bad_duration_is_explained_in_chinese"
sed 's/^/# /' "$tmp/err" | head -3

start_sim --piles 1
P="-p $tmp/sim/bus --keys $tmp/sim/keys.yaml"

zh $P status >"$tmp/status" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/status"
[ $rc -eq 0 ] && grep -q '^充电桩 SIM-0001，地址 1：' "$tmp/status" &&
    grep -q '^离线授权' "$tmp/status" && grep -q '在线' "$tmp/status"
ok $? "status_against_pilesim_is_chinese"

# Status rows: every value starts in one display column. The batch commands
# pad with printf's %-14s, which counts bytes (3 a Chinese character, which
# shows 2 columns wide), so this is a known defect until they pad by width.
python3 -c 'import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
cols = set()
for l in open(sys.argv[1], encoding="utf-8").read().split("\n")[1:]:
	if not l.strip():
		continue
	if l.startswith(" "):
		cols.add(w(l) - w(l.lstrip()))
	else:
		label = l.split(" ")[0]
		rest = l[len(label):]
		cols.add(w(label) + w(rest) - w(rest.lstrip()))
sys.exit(len(cols) != 1)' "$tmp/status"
ok $? "status_values_line_up_by_display_width"

zh $P status --json >"$tmp/json" 2>"$tmp/err"
rc=$?
# Machine-read output keeps its English keys and values.
[ $rc -eq 0 ] && grep -q '"link":"online"' "$tmp/json" &&
    python3 -c 'import sys, unicodedata
s = open(sys.argv[1], encoding="utf-8").read()
sys.exit(any(unicodedata.east_asian_width(c) in "WF" for c in s))' "$tmp/json"
ok $? "json_stays_english_under_zh_cn"

zh $P whitelist add 04A1B2C3 --holder '张三' >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q '^SIM-0001 的白名单：允许 04A1B2C3 (张三)' "$tmp/out"
ok $? "whitelist_write_reports_in_chinese"
sed 's/^/# /' "$tmp/out" "$tmp/err"

zh $P --timeout 100 --retries 0 -a 7 status >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && grep -q '地址 7 .*无应答' "$tmp/err"
ok $? "no_answer_from_the_bus_is_reported_in_chinese"
sed 's/^/# /' "$tmp/err"

done_testing
