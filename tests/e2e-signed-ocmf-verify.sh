#!/bin/sh
# logs verify reads an OCMF export as it reads CSV and JSON Lines, with no
# pile and no archive: each line's signature over its payload (with the key
# the export's '# public_key' line gives, or --keys), its money from the
# '# tariff' line's prices, its pile's sequence. A changed fee, energy,
# card UID and two records swapped are each named, exit 1; money with no
# tariff known is counted unchecked, never passed; openssl alone checks a
# line with the key the export carries.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 1 --frozen-clock --clock 1700000000

ctl whitelist 1 add 04BE4C00 >/dev/null
ctl link 1 down >/dev/null
for i in 1 2 3 4 5; do
	ctl swipe 1 04BE4C00 >/dev/null && ctl plug 1 >/dev/null &&
	    ctl advance 3000 >/dev/null && ctl unplug 1 >/dev/null || echo "# charge $i failed"
done
ok "pull" pc logs pull
ok "export_ocmf" pc logs export --format ocmf -o "$tmp/r.ocmf"
is "$(grep -c '^OCMF|' "$tmp/r.ocmf")" 5 "one_line_per_record"
like "$(grep '^# public_key' "$tmp/r.ocmf")" '^# public_key "SIM-0001" 3059301306072a8648ce3d0201[0-9a-f]+$' \
    "the_export_carries_the_piles_key"
like "$(grep '^# tariff' "$tmp/r.ocmf")" '^# tariff [0-9]+ [0-9]+,[0-9]+,[0-9]+,[0-9]+ [0-9]+,[0-9]+,[0-9]+,[0-9]+$' \
    "the_export_carries_the_prices_of_its_tariff"
sim_stop

# ---- unchanged: every check passes -------------------------------------------
out=$(pc logs verify "$tmp/r.ocmf")
tap $? "an_unchanged_ocmf_export_verifies"
like "$out" "5 records of 1 piles; signatures: 5 good, 0 bad, 0 unsigned; money: 5 right, 0 wrong, 0 unchecked.*; 0 failures" \
    "every_signature_and_every_fee_is_checked"

# ---- tampered: each change named ---------------------------------------------
tamper() {	# tamper NAME PYTHON: edits the list `ocmf` of OCMF lines
	/usr/bin/python3 - "$tmp/r.ocmf" "$tmp/$1.ocmf" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines(True)
ocmf = [i for i, l in enumerate(lines) if l.startswith("OCMF|")]
def sub(n, pattern, repl):
    i = ocmf[n]
    new = re.sub(pattern, repl, lines[i], count=1)
    assert new != lines[i], pattern
    lines[i] = new
exec(sys.argv[3])
open(sys.argv[2], "w").write("".join(lines))
PY
}
seq_of() { grep '^OCMF|' "$tmp/r.ocmf" | sed -n "$1p" | sed 's/.*"PG":"T\([0-9]*\)".*/\1/'; }
s2=$(seq_of 2)
s3=$(seq_of 3)
s4=$(seq_of 4)

# one fee: the first non-zero energy fee of record 2, one minor unit more
tamper fee 'sub(1, r"(\"XF\":\[[0-9,]*?)([1-9][0-9]*)", lambda m: m.group(1) + str(int(m.group(2)) + 1))'
out=$(pc logs verify "$tmp/fee.ocmf" 2>&1)
is "$?" 1 "a_changed_fee_exits_1"
like "$out" "SIM-0001 seq $s2: bad signature" "a_changed_fee_breaks_its_signature"
like "$out" "SIM-0001 seq $s2: energy_fee_[a-z]+ is [0-9]+, but [0-9]+ Wh at [0-9.]+ per kWh is [0-9]+" \
    "a_changed_fee_is_named_with_its_computation"
like "$out" "1 bad.*1 wrong.*2 failures" "a_changed_fee_counts_one_bad_signature_and_one_wrong_fee"

# one energy: the first non-zero period of record 3, one kWh more
tamper energy 'sub(2, r"(\"XE\":\[[0-9,]*?)([1-9][0-9]*)", lambda m: m.group(1) + str(int(m.group(2)) + 1000))'
out=$(pc logs verify "$tmp/energy.ocmf" 2>&1)
is "$?" 1 "a_changed_energy_exits_1"
like "$out" "SIM-0001 seq $s3: bad signature" "a_changed_energy_breaks_its_signature"
like "$out" "SIM-0001 seq $s3: energy_fee_[a-z]+ is [0-9]+, but [0-9]+ Wh at" \
    "a_changed_energy_no_longer_gives_its_fee"

# one card UID
tamper card 'sub(3, r"\"ID\":\"04BE4C00\"", "\"ID\":\"04BE4C01\"")'
out=$(pc logs verify "$tmp/card.ocmf" 2>&1)
is "$?" 1 "a_changed_card_uid_exits_1"
like "$out" "SIM-0001 seq $s4: bad signature" "a_changed_card_uid_breaks_its_signature"
like "$out" "4 good, 1 bad.*5 right, 0 wrong" "a_changed_card_uid_changes_no_money"

# two records swapped
tamper swap 'a, b = ocmf[1], ocmf[2]; lines[a], lines[b] = lines[b], lines[a]'
out=$(pc logs verify "$tmp/swap.ocmf" 2>&1)
is "$?" 1 "two_swapped_records_exit_1"
like "$out" "SIM-0001 seq $s2: comes after seq $s3 \(out of order" "two_swapped_records_are_named"
like "$out" "5 good, 0 bad.*1 out of order, 0 missing" "swapped_records_keep_their_signatures"

# all four in one file: each named in --json
tamper all 'sub(1, r"(\"XF\":\[[0-9,]*?)([1-9][0-9]*)", lambda m: m.group(1) + str(int(m.group(2)) + 1)); sub(2, r"(\"XE\":\[[0-9,]*?)([1-9][0-9]*)", lambda m: m.group(1) + str(int(m.group(2)) + 1000)); sub(3, r"\"ID\":\"04BE4C00\"", "\"ID\":\"04BE4C01\""); a, b = ocmf[0], ocmf[4]; lines[a], lines[b] = lines[b], lines[a]'
out=$(pc --json logs verify "$tmp/all.ocmf" 2>/dev/null)
is "$?" 1 "four_changes_in_one_file_exit_1"
is "$(echo "$out" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(set("%s:%s" % (f["check"], f["seq"]) for f in d["findings"]))))')" \
    "$(printf '%s\n' "money:$s2" "money:$s3" "order:$(seq_of 1)" "order:$s2" "signature:$s2" "signature:$s3" "signature:$s4" | sort | tr '\n' ' ' | sed 's/ $//')" \
    "each_change_is_a_finding_of_its_record"

# ---- keys ---------------------------------------------------------------------
grep '^# public_key' "$tmp/r.ocmf" | sed 's/^# public_key "\(.*\)" /\1 /' >"$tmp/keys"
ok "verify_with_the_trusted_key" pc logs verify "$tmp/r.ocmf" --keys "$tmp/keys"
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/other.pem" 2>/dev/null
other=$(openssl pkey -in "$tmp/other.pem" -pubout -outform DER 2>/dev/null | od -An -tx1 -v | tr -d ' \n')
echo "SIM-0001 $other" >"$tmp/otherkeys"
out=$(pc logs verify "$tmp/r.ocmf" --keys "$tmp/otherkeys" 2>&1)
is "$?" 1 "another_trusted_key_exits_1"
like "$out" "SIM-0001 seq [0-9]+: the export's public key is not the one the keys file gives" \
    "another_trusted_key_is_named"
grep -v '^# public_key' "$tmp/r.ocmf" >"$tmp/nokey.ocmf"
out=$(pc logs verify "$tmp/nokey.ocmf" 2>&1)
is "$?" 1 "an_export_without_its_key_and_no_keys_exits_1"
like "$out" "no public key to check the signature with" "no_key_is_said_never_passed"
ok "an_export_without_its_key_verifies_with_keys" pc logs verify "$tmp/nokey.ocmf" --keys "$tmp/keys"

# ---- money that cannot be checked is counted, not passed ---------------------
grep -v '^# tariff' "$tmp/r.ocmf" >"$tmp/notariff.ocmf"
out=$(pc --json logs verify "$tmp/notariff.ocmf")
tap $? "an_export_without_prices_verifies_its_signatures"
is "$(echo "$out" | jget money_unchecked)/$(echo "$out" | jget money_checked)/$(echo "$out" | jget good_signatures)" \
    5/0/5 "without_prices_the_5_records_money_is_unchecked"
like "$(pc logs verify "$tmp/notariff.ocmf")" "money: 0 right, 0 wrong, 5 unchecked" \
    "the_text_summary_counts_them_unchecked"
pc logs export --format jsonl -o "$tmp/r.jsonl" >/dev/null 2>&1
/usr/bin/python3 - "$tmp/r.jsonl" "$tmp/noprice.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for n, l in enumerate(open(sys.argv[1])):
    r = json.loads(l)
    if n < 2:
        for k in list(r):
            if k.startswith("energy_price_") or k.startswith("service_price_"):
                r[k] = None
    out.write(json.dumps(r) + "\n")
PY
out=$(pc --json logs verify "$tmp/noprice.jsonl")
is "$(echo "$out" | jget money_unchecked)/$(echo "$out" | jget money_checked)" 2/3 \
    "jsonl_records_without_prices_are_counted_unchecked"

# ---- bad lines -------------------------------------------------------------------
{ cat "$tmp/r.ocmf"; grep '^OCMF|' "$tmp/r.ocmf" | head -n 1 | cut -c1-200; echo; echo '# tariff 1 x'; } >"$tmp/cut.ocmf"
out=$(pc logs verify "$tmp/cut.ocmf" 2>&1)
is "$?" 1 "a_cut_line_exits_1"
like "$out" "cut.ocmf:[0-9]+: not an OCMF record line \('[A-Z]+' missing or bad\)" "a_cut_line_is_named_with_its_place"
like "$out" "cut.ocmf:[0-9]+: a '#' line of the export is not what it says \('prices' bad\)" \
    "a_bad_tariff_line_is_named"
sed '0,/^OCMF|/s/^OCMF|/XCMF|/' "$tmp/r.ocmf" >"$tmp/xcmf.ocmf"
out=$(pc --json logs verify "$tmp/xcmf.ocmf" 2>/dev/null)
is "$?" 1 "a_first_line_that_lost_its_prefix_exits_1"
is "$(echo "$out" | jget records)/$(echo "$out" | jget good_signatures)" 5/4 \
    "a_first_line_that_lost_its_prefix_is_a_record_not_a_csv_header"
like "$(echo "$out" | jget findings.0.text)" "xcmf.ocmf:[0-9]+: not an OCMF record line \('OCMF\|' missing or bad\)" \
    "a_first_line_that_lost_its_prefix_is_named"
sed 's/"FV":"1.0"/"FV": "1.0"/' "$tmp/r.ocmf" >"$tmp/spaced.ocmf"
out=$(pc logs verify "$tmp/spaced.ocmf" 2>&1)
is "$?" 1 "a_respaced_export_exits_1"
like "$out" "the payload is not the canonical form a pile signs" "a_respaced_payload_is_not_canonical"

# ---- an independent verifier: openssl with the key the OCMF export carries ----
/usr/bin/python3 - "$tmp/r.ocmf" "$tmp" <<'PY'
import binascii, json, sys
lines = open(sys.argv[1]).read().splitlines()
key = [l for l in lines if l.startswith("# public_key ")][0].split()[-1]
line = [l for l in lines if l.startswith("OCMF|")][2]
a, b = line.index("|"), line.rindex("|")
open(sys.argv[2] + "/payload", "wb").write(line[a + 1:b].encode())
open(sys.argv[2] + "/sig.der", "wb").write(binascii.unhexlify(json.loads(line[b + 1:])["SD"]))
open(sys.argv[2] + "/key.der", "wb").write(binascii.unhexlify(key))
PY
openssl pkey -pubin -inform DER -in "$tmp/key.der" -out "$tmp/key.pem" 2>/dev/null
is "$(openssl dgst -sha256 -verify "$tmp/key.pem" -signature "$tmp/sig.der" "$tmp/payload" 2>&1)" \
    "Verified OK" "openssl_verifies_an_ocmf_line_with_the_key_of_the_export"
sed 's/"ID":"04BE4C00"/"ID":"04BE4C01"/' "$tmp/payload" >"$tmp/payload2"
is "$(openssl dgst -sha256 -verify "$tmp/key.pem" -signature "$tmp/sig.der" "$tmp/payload2" 2>&1)" \
    "Verification failure" "openssl_refuses_the_line_with_another_card"
done_testing
