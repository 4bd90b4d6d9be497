# provision-lib.sh - sourced by tests/provision-*.sh: batch-lib.sh's temp
# HOME, TAP helpers and pilesim, plus the pile state the tests compare.
. "$top_srcdir/tests/batch-lib.sh"
DATA=$top_srcdir/tests/data

[ -x "$PILESIM" ] || tap_skip_all "pilesim is not built"

# pstate ADDR: "whitelist version/count, tariff version, settings, link" of a
# pile, one line, to compare before and after.
pstate() {
	pc -a "$1" status --json
	printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
a = s["offline_auth"]
print("wl=%s/%s tariff=%s auth=%s/%s/%s/%s link=%s" % tuple(json.dumps(x).strip("\"") for x in (s["whitelist"]["version"],
    s["whitelist"]["count"], s["tariff_version"], a["offline_charging"], a["unknown_card"],
    a["expired_card"], a["offline_max_wh"], s["link"])))'
}
# all_states N: pstate of piles 1..N, one per line.
all_states() {
	i=1
	while [ "$i" -le "$1" ]; do
		echo "$i $(pstate "$i")"
		i=$((i + 1))
	done
}
