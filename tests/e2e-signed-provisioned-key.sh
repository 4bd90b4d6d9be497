#!/bin/sh
# 'public_key:' in a provisioning file pins a pile's signing key in the
# archive before its first pull: the pile's own key pulls and verifies; a
# wrong key makes the pull quarantine every record and exit 1; a key that
# conflicts with a pin is refused naming serial, file and line, and changes
# nothing; --replace-keys with the pile's real key lets the next pull read
# the quarantined records again and archive them (their quarantine entries
# kept); a malformed key is refused naming file:line:column; a pile that
# stops signing while a key is pinned is quarantined too.
. "$top_srcdir/tests/e2e-lib.sh"
command -v openssl >/dev/null 2>&1 || tap_skip_all "openssl is not installed"
command -v sqlite3 >/dev/null 2>&1 || tap_skip_all "sqlite3 is not installed"
start_sim --piles 2 --frozen-clock --clock 1700000000

charge() {	# charge ADDR: one offline session of 10 minutes
	ctl swipe "$1" 04BE4C00 >/dev/null && ctl plug "$1" >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug "$1" >/dev/null
}
ctl whitelist 1 add 04BE4C00 >/dev/null
ctl whitelist 2 add 04BE4C00 >/dev/null
ctl link 1 down >/dev/null
ctl link 2 down >/dev/null
for i in 1 2 3; do charge 1 || echo "# charge $i on pile 1 failed"; done
for i in 1 2; do charge 2 || echo "# charge $i on pile 2 failed"; done

pins() {	# every pin of the archive: "SERIAL SOURCE HEX" lines
	sqlite3 "$tmp/archive.db" "SELECT serial, source, hex(pubkey) FROM pile_keys ORDER BY serial" 2>/dev/null
}
# The key a pile signs with, from its private key file alone (openssl).
spki_of() {
	openssl pkey -inform DER -in "$tmp/sim/pile-$1/signing.key" -pubout -outform DER |
	    od -An -v -tx1 | tr -d ' \n'
}
# A P-256 key no pile has.
other=$(openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null |
    openssl pkey -pubout -outform DER | od -An -v -tx1 | tr -d ' \n')

# ---- the key as status shows it ----------------------------------------------
key1=$(pc -a 1 --json status | jget public_key)
is "$key1" "$(spki_of 1)" "status_json_shows_the_key_the_pile_signs_with"
key2=$(pc -a 2 --json status | jget public_key)
is "$key2" "$(spki_of 2)" "status_json_shows_pile_2s_key"
is "${#other}" 182 "a_key_no_pile_has_is_made"

prov() {	# prov NAME YAML [options]: writes $tmp/NAME.yaml, runs provision
	printf '%s\n' "$2" >"$tmp/$1.yaml"
	_f=$tmp/$1.yaml
	shift 2
	out=$(pc provision "$_f" "$@" 2>&1)
	rc=$?
}

# ---- a dry run pins nothing -----------------------------------------------------
prov good "piles:
  - address: 1
    serial: SIM-0001
    public_key: $key1" --dry-run
is "$rc" 0 "dry_run_with_a_key_exits_0"
like "$out" "public_key +pin the given key in the archive for SIM-0001" "plan_says_the_key_will_be_pinned"
is "$(pins)" "" "dry_run_pins_nothing"

# ---- the pile's own key: pinned, then the pull verifies ----------------------
prov good "piles:
  - address: 1
    serial: SIM-0001
    public_key: $key1"
is "$rc" 0 "provisioning_a_key_exits_0"
like "$out" "public_key: SIM-0001: pinned in the archive" "result_says_the_key_is_pinned"
is "$(pins)" "SIM-0001|provisioned|$(printf '%s' "$key1" | tail -c 128 | tr a-f A-F)" \
    "the_archive_holds_the_provisioned_key"
out=$(pc -a 1 logs pull 2>&1)
tap $? "pull_against_the_provisioned_key_exits_0"
like "$out" "verified 3 signatures of SIM-0001" "pull_verifies_against_the_provisioned_key"
tap_unlike "$out" "trust on first use" "a_provisioned_key_is_not_pinned_again_on_first_pull"
prov good "piles:
  - address: 1
    serial: SIM-0001
    public_key: $key1"
like "$out" "pile SIM-0001 at address 1: no changes" "the_same_key_again_changes_nothing"

# ---- a wrong key: the pull quarantines and exits 1 -------------------------------
prov wrong "piles:
  - serial: SIM-0002
    public_key: $other"
is "$rc" 0 "provisioning_a_key_the_pile_does_not_have_exits_0"
like "$out" "warning: the pile shows another key: its records will be quarantined on pull" \
    "plan_warns_that_the_pile_shows_another_key"
out=$(pc -a 2 logs pull 2>&1)
is "$?" 1 "pull_of_a_pile_with_another_key_exits_1"
like "$out" "the public key of SIM-0002 is not the one pinned in the archive" \
    "pull_says_loudly_the_key_differs"
like "$out" "2 records of SIM-0002 failed their signature check" "pull_counts_the_quarantined_records"
is "$(pc logs list --quarantine 2>/dev/null | grep -c 'SIM-0002 [0-9]* key_changed')" 2 \
    "records_under_another_key_are_in_the_quarantine"
is "$(pc --json logs list --pile SIM-0002 2>/dev/null | grep -c '"seq"')" 0 "records_under_another_key_are_not_archived"
pc logs export --format jsonl --pile SIM-0002 -o "$tmp/q.jsonl" >/dev/null 2>&1
is "$(grep -c . "$tmp/q.jsonl" 2>/dev/null || echo 0)" 0 "records_under_another_key_are_never_exported"
out=$(pc -a 2 logs pull 2>&1)
is "$?" 1 "a_second_pull_with_nothing_new_still_exits_1"
like "$out" "is not the one pinned" "and_still_says_why"

# ---- a key that conflicts with a pin: refused, nothing changed --------------------
before=$(pins)
prov conflict "piles:
  - address: 1
    serial: SIM-0001
    whitelist: []
    public_key: $other"
is "$rc" 2 "a_conflicting_key_exits_2"
like "$out" "conflict.yaml:5:17: the public key given for 'SIM-0001' is not the one the archive has pinned for it" \
    "conflict_names_file_line_and_serial"
like "$out" "run again with --replace-keys" "conflict_says_how_to_replace"
is "$(pins)" "$before" "a_conflicting_key_changes_no_pin"
is "$(pc -a 1 --json status | jget whitelist.count)" 1 "a_conflicting_key_writes_nothing_to_the_pile"
prov conflict "piles:
  - address: 1
    serial: SIM-0001
    public_key: $other" --dry-run
is "$rc" 2 "a_dry_run_refuses_a_conflicting_key_too"

# ---- --replace-keys: the pile's real key replaces the wrong one ----------------
prov replace "piles:
  - serial: SIM-0002
    public_key: $key2" --replace-keys
is "$rc" 0 "replace_keys_exits_0"
like "$out" "public_key: SIM-0002: replaced the key pinned in the archive" "replace_keys_says_so"
charge 2
out=$(pc -a 2 logs pull 2>&1)
tap $? "after_the_replacement_the_pull_exits_0"
# The two quarantined under the wrong pin are read again and verify now.
like "$out" "verified 3 signatures of SIM-0002" "after_the_replacement_new_records_verify"
like "$out" "2 quarantined records of SIM-0002 verify now and are archived" \
    "the_records_quarantined_under_the_wrong_pin_are_recovered"
is "$(pc --json logs list --pile SIM-0002 2>/dev/null | grep -c '"seq"')" 3 \
    "the_archive_now_holds_all_three"
is "$(pc logs list --quarantine 2>/dev/null | grep -c 'SIM-0002 [0-9]* key_changed .verified when pulled again')" 2 \
    "their_quarantine_entries_stay_saying_they_were_archived"

# ---- malformed keys: refused naming file:line:column -------------------------------
# The key with the last digit of Y changed: for an X there are two Ys, and
# this is neither.
case $key1 in
*0) offcurve=${key1%?}1 ;;
*) offcurve=${key1%?}0 ;;
esac
prov bad "piles:
  - serial: SIM-0001
    public_key: 30zz
  - serial: SIM-0002
    public_key: 0123abcd
  - serial: SIM-0003
    public_key: $offcurve
  - address: 2
    public_key: $key2"
is "$rc" 2 "malformed_keys_exit_2"
like "$out" "bad.yaml:3:17: 'public_key' is not hex" "a_key_that_is_not_hex_is_named"
like "$out" "bad.yaml:5:17: 'public_key' is not a P-256 public key" "a_key_of_the_wrong_length_is_named"
like "$out" "bad.yaml:7:17: 'public_key' is not a point of the P-256 curve" "a_key_off_the_curve_is_named"
like "$out" "bad.yaml:9:17: 'public_key' needs the pile's 'serial' beside it" "a_key_needs_a_serial"
printf 'defaults:\n  public_key: %s\npiles:\n  - address: 1\n' "$key1" >"$tmp/def.yaml"
out=$(pc provision "$tmp/def.yaml" 2>&1)
is "$?" 2 "a_key_in_defaults_exits_2"
like "$out" "def.yaml:2:3: 'public_key' names one pile" "a_key_in_defaults_is_refused"

# ---- a pile that stops signing while its key is pinned --------------------------
sim_stop
start_sim --piles 2 --frozen-clock --protocol 1.0
charge 1
out=$(pc -a 1 logs pull 2>&1)
is "$?" 1 "a_pinned_pile_that_no_longer_signs_exits_1"
like "$out" "has a public key pinned for SIM-0001, but the pile does not sign" \
    "a_pinned_pile_that_no_longer_signs_is_reported"
tap_unlike "$out" "up to date" "a_pull_that_quarantined_does_not_say_up_to_date"
is "$(pc logs list --quarantine 2>/dev/null | grep -c 'SIM-0001 4 unsigned')" 1 \
    "its_unsigned_record_is_quarantined"
is "$(pc --json logs list --pile SIM-0001 2>/dev/null | grep -c '"seq":4,')" 0 "its_unsigned_record_is_not_archived"
done_testing
