#!/bin/sh
# Reads are open; every write needs the pile's key; a wrong key is refused and
# locked out for a growing time; no message ever shows a key.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 2 --frozen-clock
nokey() { timeout 60 "$PILECON" -p "$tmp/sim/bus" --archive "$tmp/archive.db" "$@"; }

ok "status_needs_no_key" nokey status
out=$(nokey offline on --for 1h 2>&1); rc=$?
is "$rc" 4 "write_without_key_exits_4"
like "$out" "key" "write_without_key_names_the_keys_option"
is "$(nokey --json status | jget link)" online "refused_write_changed_nothing"

# A keys file with the right serial but a wrong key.
printf 'keys:\n  - serial: "SIM-0001"\n    key: "%s"\n' \
	"$(printf '%064d' 7)" >"$tmp/wrong.yaml"
chmod 600 "$tmp/wrong.yaml"
out=$(timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/wrong.yaml" offline on --for 1h 2>&1); rc=$?
is "$rc" 4 "wrong_key_exits_4"
like "$out" "wrong key" "wrong_key_is_named"
if printf '%s' "$out" | grep -q 0000000000000007; then tap 1 "message_never_shows_the_key"; else tap 0 "message_never_shows_the_key"; fi
is "$(nokey --json status | jget link)" online "wrong_key_changed_nothing"
# The right key for pile 1 is wrong for pile 2 (a response for another pile).
sed -n '/SIM-0001/,/key:/p' "$tmp/sim/keys.yaml" | sed 's/SIM-0001/SIM-0002/' |
	{ echo "keys:"; cat; } >"$tmp/swapped.yaml"
chmod 600 "$tmp/swapped.yaml"
out=$(timeout 60 "$PILECON" -p "$tmp/sim/bus" -a 2 --keys "$tmp/swapped.yaml" offline on 2>&1); rc=$?
is "$rc" 4 "key_of_another_pile_is_refused"
out=$(pc offline on --for 1h 2>&1); rc=$?
like "$out" "next try|locked|wait|more" "right_key_during_lockout_is_told_to_wait"
ctl advance 10 >/dev/null
ok "right_key_writes_after_lockout" pc offline on --for 1h
is "$(nokey --json status | jget link)" forced_offline "right_key_took_effect"

chmod 644 "$tmp/swapped.yaml"
out=$(timeout 60 "$PILECON" -p "$tmp/sim/bus" -a 2 --keys "$tmp/swapped.yaml" status 2>&1)
like "$out" "readable by others|permissions|mode" "key_file_readable_by_others_is_warned_about"
done_testing
