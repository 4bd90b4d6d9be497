#!/bin/sh
# 'logs report --by day --since/--until' take the pile's dates, whatever
# the laptop's time zone: a session that starts at 00:00 or 00:01 counts on
# that day and is inside --since of that day; one that starts at 23:59
# counts on its day even when it ends after midnight; --until ends with the
# day it names.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 1 --frozen-clock --clock 1700000000
ctl whitelist 1 add 04BE4C00 >/dev/null
ctl link 1 down >/dev/null
at() {	# at TIME: one 10-minute session starting at TIME on the pile clock
	pc -a 1 clock set "$1" >/dev/null 2>&1 || echo "# clock set $1 failed"
	ctl swipe 1 04BE4C00 >/dev/null && ctl plug 1 >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null
}
at 2023-11-15T23:49:00Z
at 2023-11-16T00:00:00Z
at 2023-11-16T00:01:00Z
at 2023-11-16T23:59:00Z
at 2023-11-17T00:00:00Z
ok "pull_the_sessions" pc -a 1 logs pull
is "$(pc --json logs list | grep -c '"seq"')" 5 "five_sessions_archived"

days() {	# days TZ [report options]: "DAY=SESSIONS ..." of --by day
	_tz=$1
	shift
	TZ=$_tz pc --json logs report --by day "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(" ".join("%s=%s" % (g["key"], g["sessions"]) for g in r["groups"]), "total=%s" % r["total"]["sessions"])'
}
for tz in UTC America/Los_Angeles Asia/Shanghai Pacific/Kiritimati; do
	is "$(days $tz)" "2023-11-15=1 2023-11-16=3 2023-11-17=1 total=5" \
	    "sessions_count_on_their_pile_day_in_$tz"
	is "$(days $tz --since 2023-11-16 --until 2023-11-16)" "2023-11-16=3 total=3" \
	    "since_and_until_one_day_take_00_00_00_01_and_23_59_in_$tz"
	is "$(days $tz --until 2023-11-15)" "2023-11-15=1 total=1" \
	    "until_the_day_before_leaves_out_00_00_in_$tz"
	is "$(days $tz --since 2023-11-17)" "2023-11-17=1 total=1" \
	    "since_the_day_after_leaves_out_23_59_in_$tz"
done
done_testing
