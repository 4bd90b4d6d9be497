#!/bin/sh
# pilecon without the pile's key: every write command is refused before the
# pile changes, with a message that says which key is missing. Key files:
# a file others may read is warned about loudly, and no output of any
# command (people's, --json, errors, warnings) nor any file pilecon writes
# ever holds a key.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 2 --frozen-clock
nokey() { timeout 60 "$PILECON" -p "$tmp/sim/bus" --archive "$tmp/archive.db" "$@"; }
ctl whitelist 1 add 04A1B2C3 >/dev/null
printf 'uid,status,expires,holder\n04BEEF01,accepted,,\n' >"$tmp/cards.csv"
state() { ctl pile status 1 --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s["link"], s["forced_until"], s["clock"], s["whitelist"], s["settings"], s["tariff_version"], s["resync"])'; }
before=$(state)

# ---- writes without a key ----------------------------------------------------
for cmd in "offline on --for 1h" "offline off" "whitelist add 04BEEF01" \
    "whitelist block 04A1B2C3" "whitelist remove 04A1B2C3" \
    "whitelist import $tmp/cards.csv" "whitelist sync $tmp/cards.csv" \
    "clock set 2030-01-01T00:00:00Z" "resync"; do
	name=$(printf '%s' "$cmd" | sed "s|$tmp/||; s/[^a-z0-9]\{1,\}/_/g; s/_$//")
	out=$(nokey $cmd 2>&1); rc=$?
	is "$rc" 4 "${name}_without_key_exits_4_refused"
	like "$out" "key" "${name}_without_key_says_a_key_is_needed"
done
is "$(state)" "$before" "refused_commands_changed_nothing_on_the_pile"
is "$(ctl pile status 1 --json | jget auth.failures)" 0 "no_key_is_not_a_wrong_key"

# ---- key file permissions ----------------------------------------------------
cp "$tmp/sim/keys.yaml" "$tmp/open.yaml"
chmod 644 "$tmp/open.yaml"
out=$(timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/open.yaml" status 2>&1)
like "$out" "readable by others|permissions|mode" "world_readable_key_file_is_warned_about"
like "$out" "open.yaml" "warning_names_the_key_file"
chmod 640 "$tmp/open.yaml"
out=$(timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/open.yaml" status 2>&1)
like "$out" "readable by others|permissions|mode" "group_readable_key_file_is_warned_about"
chmod 600 "$tmp/open.yaml"
out=$(timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/open.yaml" status 2>&1)
if printf '%s' "$out" | grep -Eq "readable by others|permissions"; then
	tap 1 "private_key_file_gives_no_warning"
else
	tap 0 "private_key_file_gives_no_warning"
fi

# ---- no output ever holds a key ---------------------------------------------
keys=$(sed -n 's/.*key: *"\([0-9a-fA-F]\{64\}\)".*/\1/p' "$tmp/sim/keys.yaml")
is "$(printf '%s\n' "$keys" | wc -l | tr -d ' ')" 2 "keys_file_holds_two_keys"
# A keys file with a malformed key (one hex digit short) and one with a key
# for the wrong pile: their errors must not echo the key either.
k1=$(printf '%s\n' "$keys" | head -1)
short=$(printf '%s' "$k1" | cut -c2-)
printf 'keys:\n  - serial: "SIM-0001"\n    key: "%s"\n' "$short" >"$tmp/short.yaml"
printf 'keys:\n  - serial: "SIM-0002"\n    key: "%s"\n' "$k1" >"$tmp/other.yaml"
printf 'keys:\n  - serial: "SIM-0001"\n    key: %s\n   bad: [\n' "$k1" >"$tmp/broken.yaml"
chmod 600 "$tmp/short.yaml" "$tmp/other.yaml" "$tmp/broken.yaml"
all=$tmp/all-output
: >"$all"
run() {	# run KEYFILE ARGS...: every output, both streams, into $all
	kf=$1; shift
	timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$kf" --archive "$tmp/archive.db" "$@" >>"$all" 2>&1
	echo "exit $?" >>"$all"
}
K=$tmp/sim/keys.yaml
ctl link 1 down >/dev/null
ctl swipe 1 04A1B2C3 >/dev/null; ctl plug 1 >/dev/null; ctl advance 600 >/dev/null; ctl unplug 1 >/dev/null
for j in "" --json; do
	run "$K" $j status
	run "$K" $j -a 2 status
	run "$K" $j offline on --for 1h
	run "$K" $j offline off
	run "$K" $j whitelist add 04BEEF02 --holder "Key Test"
	run "$K" $j whitelist list
	run "$K" $j whitelist export
	run "$K" $j whitelist remove 04BEEF02
	run "$K" $j logs pull
	run "$K" $j logs list
	run "$K" $j logs export --format jsonl
	run "$K" $j tariff show
	run "$K" $j clock set
	run "$K" $j scan
	run "$K" $j resync
	run "$K" $j help
	run "$K" $j provision "$tmp/nonexistent.yaml"
	run "$tmp/open.yaml" $j status
	run "$tmp/short.yaml" $j offline on --for 1h
	run "$tmp/other.yaml" $j offline on --for 1h
	run "$tmp/other.yaml" $j -a 2 offline on --for 1h
	run "$tmp/broken.yaml" $j offline on --for 1h
	run "$tmp/sim/keys.yaml" $j -p "$tmp/no-such-port" offline on
	run "$tmp/sim/keys.yaml" $j --bogus-option
done
chmod 644 "$tmp/short.yaml"
run "$tmp/short.yaml" offline on --for 1h
is "$(grep -c '^exit ' "$all")" 49 "every_command_ran"
grep -q '^exit 0' "$all"; tap $? "some_commands_succeeded"
grep -Eq '^exit [1-9]' "$all"; tap $? "some_commands_failed_with_messages"
leak=0
for k in $keys $short; do
	K_up=$(printf '%s' "$k" | tr a-f A-F)
	# Half a key is already too much: any 32 hex digits of it.
	for part in "$k" "$K_up" "$(printf '%s' "$k" | cut -c1-32)" "$(printf '%s' "$k" | cut -c33-64)"; do
		if grep -Fiq "$part" "$all"; then
			leak=1
			echo "#   output holds key material: $(grep -Fi "$part" "$all" | head -2)"
		fi
	done
done
is "$leak" 0 "no_output_of_any_command_holds_a_key"
# Nor any file pilecon wrote (config, state, history, archive, exports).
leak=0
for k in $keys; do
	for d in "$tmp/config" "$tmp/share" "$tmp/state" "$tmp/archive.db" "$HOME/.local" "$HOME/.cache"; do
		[ -e "$d" ] || continue
		if grep -rFiqa "$k" "$d"; then leak=1; echo "#   $d holds a key"; fi
	done
done
is "$leak" 0 "no_file_pilecon_writes_holds_a_key"
done_testing
