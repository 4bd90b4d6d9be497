#!/bin/sh
# Proof of every record: a 1.1 pile signs each record; logs pull checks
# and pins its key; exports carry signature and key; logs verify finds a
# changed fee, energy, card UID, two records swapped and a gap; openssl
# alone accepts the exported OCMF line; a forged signature on the wire, a
# key changed between pulls and a 1.0 pile; the cloud's acknowledgements
# reach the archive.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 2 --frozen-clock --clock 1700000000

charge() {	# charge ADDR UID: one offline session of 10 minutes
	ctl swipe "$1" "$2" >/dev/null && ctl plug "$1" >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug "$1" >/dev/null
}
ctl whitelist 1 add 04BE4C00 --holder "=HYPERLINK(1)" >/dev/null
ctl whitelist 2 add 04BE4C00 >/dev/null
ctl link 1 down >/dev/null
ctl link 2 down >/dev/null
for i in 1 2 3 4 5; do charge 1 04BE4C00 || echo "# charge $i failed"; done

# ---- pull: verified, key pinned, unsynced while offline ---------------------
out=$(pc -a 1 logs pull 2>&1)
tap $? "pull_of_a_signing_pile_exits_0"
like "$out" "pinned the public key of SIM-0001" "first_pull_pins_the_key"
like "$out" "verified 5 signatures of SIM-0001" "pull_verifies_every_signature"
is "$(pc --json logs list | grep -c '"synced":false')" 5 "pulled_while_offline_the_records_are_unsynced"

# ---- reconciliation: resync, pull again, the archive knows ------------------
ctl link 1 up >/dev/null
ok "resync_wait" pc -a 1 resync --wait
ok "pull_after_resync" pc -a 1 logs pull
is "$(pc --json logs list | grep -c '"synced":true')" 5 "after_resync_logs_list_shows_them_synced"

# ---- exports and logs verify --------------------------------------------------
ok "export_jsonl" pc logs export --format jsonl -o "$tmp/r.jsonl"
ok "export_csv" pc logs export --format csv -o "$tmp/r.csv"
ok "export_ocmf" pc logs export --format ocmf -o "$tmp/r.ocmf"
is "$(grep -c '"signature":"[0-9a-f]\{128\}"' "$tmp/r.jsonl")" 5 "jsonl_carries_each_signature"
is "$(grep -c '"public_key":"3059301306072a8648ce3d0201' "$tmp/r.jsonl")" 5 "jsonl_carries_the_public_key_as_der"
like "$(head -n 1 "$tmp/r.csv")" "formula injection" "csv_header_says_cells_are_neutralised"
is "$(grep -c ",'=HYPERLINK(1)," "$tmp/r.csv")" 5 "csv_cell_beginning_with_equals_is_neutralised"
is "$(grep -c '^OCMF|{"FV":"1.0".*|{"SA":"ECDSA-secp256r1-SHA256","SD":"30' "$tmp/r.ocmf")" 5 "ocmf_line_per_record"

out=$(pc logs verify "$tmp/r.jsonl")
tap $? "unchanged_jsonl_verifies"
like "$out" "5 good, 0 bad.*0 failures" "unchanged_export_has_0_failures"
out=$(pc logs verify "$tmp/r.csv")
tap $? "unchanged_csv_verifies_with_the_neutralised_cell"
python3 - "$tmp/r.jsonl" >"$tmp/keys" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["pile"], r["public_key"])
    break
PY
ok "verify_with_trusted_keys" pc logs verify "$tmp/r.jsonl" --keys "$tmp/keys"

tamper() {	# tamper NAME PYTHON-EXPR-ON-LIST-OF-DICTS
	python3 - "$tmp/r.jsonl" "$tmp/$1.jsonl" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
exec(sys.argv[3])
with open(sys.argv[2], "w") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
	out=$(pc logs verify "$tmp/$1.jsonl")
	rc=$?
}
tamper fee 'rows[1]["energy_fee_peak"] += 1; rows[1]["energy_fee_minor"] += 1; rows[1]["total_fee_minor"] += 1'
is "$rc" 1 "changed_fee_exits_1"
like "$out" "SIM-0001 seq 2: bad signature" "changed_fee_breaks_the_signature_of_seq_2"
like "$out" "SIM-0001 seq 2: energy_fee_peak is" "changed_fee_is_named_against_energy_and_price"
tamper energy 'rows[2]["energy_wh_peak"] -= 100; rows[2]["energy_wh"] -= 100'
is "$rc" 1 "changed_energy_exits_1"
like "$out" "SIM-0001 seq 3: bad signature" "changed_energy_breaks_the_signature_of_seq_3"
tamper uid 'rows[3]["card_uid"] = "04BE4C01"'
is "$rc" 1 "changed_card_uid_exits_1"
like "$out" "SIM-0001 seq 4: bad signature" "changed_card_uid_is_named"
tamper swap 'rows[1], rows[2] = rows[2], rows[1]'
is "$rc" 1 "swapped_records_exit_1"
like "$out" "SIM-0001 seq 2: comes after seq 3" "swapped_records_are_named"
tamper gap 'del rows[2]'
is "$rc" 1 "a_gap_exits_1"
like "$out" "SIM-0001: seq 3..3 missing" "a_gap_in_sequence_numbers_is_flagged"

# ---- reports -------------------------------------------------------------------
rep=$(pc --json logs report --by card)
tap $? "report_by_card_exits_0"
sums=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(sum(r["energy_wh"] for r in rows), sum(r["total_fee_minor"] for r in rows), len(rows))' "$tmp/r.jsonl")
is "$(echo "$rep" | jget total.energy_wh_total) $(echo "$rep" | jget total.fee_minor_total) $(echo "$rep" | jget total.sessions)" \
    "$sums" "report_totals_equal_the_sums_of_the_exported_records"
is "$(echo "$rep" | jget groups.0.key)" "04BE4C00" "report_by_card_groups_by_card_uid"
is "$(pc --json logs report --by pile | jget groups.0.energy_wh.1)" \
    "$(python3 -c 'import json,sys; print(sum(json.loads(l)["energy_wh_peak"] for l in open(sys.argv[1])))' "$tmp/r.jsonl")" \
    "report_by_pile_sums_peak_energy"
sqlite3 "$tmp/archive.db" "DELETE FROM records WHERE serial = 'SIM-0001' AND seq = 3"
like "$(pc logs report --by day)" "flag: SIM-0001: seq 3..3 missing" "report_flags_a_gap_in_sequence_numbers"

# ---- an independent verifier: openssl, from the exported key and line ------
python3 - "$tmp/r.ocmf" "$tmp/r.jsonl" "$tmp" <<'PY'
import json, sys, binascii
line = next(l for l in open(sys.argv[1]) if l.startswith("OCMF|")).rstrip("\n")
a, b = line.index("|"), line.rindex("|")
open(sys.argv[3] + "/payload", "wb").write(line[a + 1:b].encode())
open(sys.argv[3] + "/sig.der", "wb").write(binascii.unhexlify(json.loads(line[b + 1:])["SD"]))
key = json.loads(open(sys.argv[2]).readline())["public_key"]
open(sys.argv[3] + "/key.der", "wb").write(binascii.unhexlify(key))
PY
openssl pkey -pubin -inform DER -in "$tmp/key.der" -out "$tmp/key.pem" 2>/dev/null
out=$(openssl dgst -sha256 -verify "$tmp/key.pem" -signature "$tmp/sig.der" "$tmp/payload" 2>&1)
is "$out" "Verified OK" "openssl_verifies_the_exported_ocmf_line_with_the_exported_key"
sed 's/"XE":\[/"XE":[1/' "$tmp/payload" >"$tmp/payload2"
out=$(openssl dgst -sha256 -verify "$tmp/key.pem" -signature "$tmp/sig.der" "$tmp/payload2" 2>&1)
is "$out" "Verification failure" "openssl_refuses_a_changed_payload"

# ---- a forged signature on the wire: the pile serves a wrong one -----------
ctl link 1 down >/dev/null
charge 1 04BE4C00
sim_stop
printf '\001' | dd of="$tmp/sim/pile-1/signatures.bin" bs=1 seek=$((5 * 64 + 10)) conv=notrunc 2>/dev/null
start_sim --piles 2 --frozen-clock
out=$(pc -a 1 logs pull 2>&1)
is "$?" 1 "pull_with_a_forged_signature_exits_1"
like "$out" "1 records of SIM-0001 failed their signature check .first: seq 6." "forged_signature_is_reported_loudly"
like "$(pc logs list --quarantine 2>/dev/null)" "SIM-0001 6 bad_signature" "forged_record_is_listed_in_the_quarantine"
is "$(pc --json logs list | grep -c '"seq":6,')" 0 "forged_record_is_not_archived"
ctl link 1 up >/dev/null
i=0
until [ "$(ctl cloud stats --json | jget bad_signatures)" -ge 1 ] || [ $i -gt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(ctl cloud stats --json | jget bad_signatures)" 1 "cloud_refuses_the_upload_with_the_forged_signature"
is "$(ctl cloud records --json | grep -c '"seq":6')" 0 "cloud_does_not_keep_the_forged_record"
pc logs export --format jsonl -o "$tmp/r2.jsonl"
is "$(grep -c '"seq":6,' "$tmp/r2.jsonl")" 0 "forged_record_is_never_exported"

# ---- the pile's key changed between two pulls -------------------------------
sim_stop
rm -f "$tmp/sim/pile-1/signing.key" "$tmp/sim/pile-1/signatures.bin"
start_sim --piles 2 --frozen-clock
ctl link 1 down >/dev/null
charge 1 04BE4C00
out=$(pc -a 1 logs pull 2>&1)
is "$?" 1 "pull_after_the_key_changed_exits_1"
like "$out" "the public key of SIM-0001 is not the one pinned" "changed_key_is_reported_loudly"
is "$(pc --json logs list | grep -c '"seq":7,')" 0 "records_under_a_changed_key_are_not_archived"


# ---- a 1.0 pile: read without signatures ------------------------------------
sim_stop
start_sim --piles 2 --frozen-clock --protocol 1.0
charge 2 04BE4C00
out=$(pc -a 2 logs pull 2>&1)
tap $? "pull_of_a_1_0_pile_exits_0"
like "$out" "SIM-0002 is a protocol 1.0 pile: its records are not signed" "a_1_0_pile_is_shown_unsigned"
pc logs export --format jsonl --pile SIM-0002 -o "$tmp/r3.jsonl"
is "$(grep -c '"signature":null' "$tmp/r3.jsonl")" 1 "unsigned_record_exports_without_signature"
out=$(pc logs verify "$tmp/r3.jsonl")
like "$out" "0 good, 0 bad, 1 unsigned" "verify_counts_the_unsigned_record"

# ---- the 00:01 boundary: days are the pile clock's, whatever the laptop's TZ --
ok "clock_set_to_0001" pc -a 2 clock set 2023-11-16T00:01:00Z
charge 2 04BE4C00
ok "pull_the_0001_session" pc -a 2 logs pull
day=$(TZ=Asia/Shanghai pc --json logs report --by day --pile SIM-0002 --since 2023-11-16)
is "$(echo "$day" | jget total.sessions)" 1 "since_takes_a_session_starting_at_0001_on_the_first_day"
is "$(echo "$day" | jget groups.0.key)" 2023-11-16 "the_session_counts_on_its_pile_day"
day=$(TZ=Asia/Shanghai pc --json logs report --by day --pile SIM-0002 --until 2023-11-15)
is "$(echo "$day" | jget total.sessions)" 1 "until_the_day_before_leaves_it_out"
done_testing
