#!/bin/sh
# The console in Chinese: double-width labels keep the columns aligned.
. "$top_srcdir/tests/tui-lib.sh"

locale -a 2>/dev/null | grep -Eqi '^zh_CN\.utf-?8$' || skip_all "no zh_CN.UTF-8 locale on this machine"
[ -f "$top_builddir/po/zh_CN.gmo" ] || skip_all "no zh_CN translation built"
# pilecon finds its catalog under LOCALEDIR: this test needs it installed
# there or in the build's po/ when LOCALEDIR points at it.

start_sim
export LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
start_console 80 24 -a 1
wait_for 'SIM-0003' 20
keys 2
sleep 2
# Every row's values start in the same display column: measure with wc -L
# (display width) the label part of each labelled row.
screen | sed -n '3,14p' | grep -v '^ *$' >"$tmp/rows"
first=$(head -1 "$tmp/rows" | sed 's/\(^ [^ ]* *\).*/\1/' | wc -L)
bad=0
while IFS= read -r row; do
	case "$row" in
	"   "*) continue ;;
	esac
	w=$(printf '%s\n' "$row" | sed 's/\(^ [^ ]* *\).*/\1/' | wc -L)
	[ "$w" -eq "$first" ] || bad=1
done <"$tmp/rows"
ok $bad "dashboard_values_start_in_one_column_with_chinese_labels"
[ "$(screen | wc -L)" -le 80 ]
ok $? "no_line_is_wider_than_the_terminal_in_chinese"
keys q
done_testing
