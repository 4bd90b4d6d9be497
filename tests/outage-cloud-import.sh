#!/bin/sh
# `pilesim ctl cloud import FILE` plays the operator: a pilecon export (CSV,
# JSON Lines, OCMF) goes into the emulated cloud, every record verified
# (signature with the key the cloud holds, CRC of an unsigned pile, money
# from energy and the tariff the cloud published) and merged with what
# resync delivers, exactly once by serial, store identity and seq.
. "$top_srcdir/tests/e2e-lib.sh"
# Pile 1 signs (1.1), pile 2 is a 1.0 pile: no signatures, CRC only.
start_sim --frozen-clock --piles 2 --protocol 2:1.0

pc whitelist add 04A1B2C3 >/dev/null
pc -a 2 whitelist add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
ctl link 2 down >/dev/null
session() {	# session ADDR
	ctl swipe "$1" 04A1B2C3 >/dev/null && ctl plug "$1" >/dev/null &&
		ctl advance 600 >/dev/null && ctl unplug "$1" >/dev/null
}
for i in 1 2 3 4 5; do
	session 1
	session 2
done
ok "pull_pile_1" pc logs pull
ok "pull_pile_2" pc -a 2 logs pull
ok "export_csv" pc logs export --format csv -o "$tmp/r.csv"
ok "export_jsonl" pc logs export --format jsonl -o "$tmp/r.jsonl"
ok "export_ocmf" pc logs export --format ocmf -o "$tmp/r.ocmf"

out=$(ctl cloud import "$tmp/r.csv" --json)
is "$(echo "$out" | jget records)" 10 "csv_import_reads_every_record"
is "$(echo "$out" | jget received)" 10 "csv_import_takes_10_records"
is "$(echo "$out" | jget refused)" 0 "csv_import_refuses_none"
is "$(ctl cloud records --json | grep -c '"via":"import"')" 10 "the_cloud_holds_them_as_imported"

out=$(ctl cloud import "$tmp/r.jsonl")
like "$out" "10 records, 0 received, 10 duplicates, 0 refused" \
    "the_same_records_as_jsonl_are_duplicates"
# OCMF lines: only the signed pile's 5 records have that form; matched by
# content (an OCMF line names no store), they are the ones held.
is "$(grep -c '^OCMF|' "$tmp/r.ocmf")" 5 "the_ocmf_export_holds_the_signed_piles_records"
out=$(ctl cloud import "$tmp/r.ocmf")
like "$out" "5 records, 0 received, 5 duplicates, 0 refused" \
    "the_same_records_as_ocmf_are_duplicates"

# Tampered OCMF lines are refused, each with its reason.
/usr/bin/python3 - "$tmp" <<'PY' || exit 1
import sys
d = sys.argv[1]
lines = [l for l in open(d + "/r.ocmf") if l.startswith("OCMF|")]
out = open(d + "/bad.ocmf", "w")
# one fee changed: the signature no longer holds
out.write(lines[0].replace('"XF":[', '"XF":[1', 1))
# the signed bytes with a space: the same record, not the canonical text
out.write(lines[1].replace('"FV":"1.0"', '"FV": "1.0"', 1))
# a line cut in its signature section (a torn copy)
out.write(lines[2][:len(lines[2]) - 30] + "\n")
# a signature section whose SD is not DER
out.write(lines[3][:lines[3].index('"SD":"')] + '"SD":"3000"}\n')
# a line with no payload at all
out.write("OCMF|\n")
PY
out=$(ctl cloud import "$tmp/bad.ocmf" --json 2>&1)
is "$?" 1 "an_ocmf_import_with_refused_records_exits_1"
is "$(echo "$out" | jget received)" 0 "no_tampered_ocmf_record_is_received"
is "$(echo "$out" | jget refused)" 5 "every_tampered_ocmf_record_is_refused"
reasons=$(echo "$out" | python3 -c 'import json,sys; print(" ".join(r["reason"] for r in json.load(sys.stdin)["refusals"]))')
is "$reasons" "signature format format signature format" "each_ocmf_refusal_says_why"
messages=$(echo "$out" | python3 -c 'import json,sys; print("\n".join(r["message"] for r in json.load(sys.stdin)["refusals"]))')
like "$messages" "SIM-0001 seq [0-9]+: bad signature" "the_changed_fee_fails_its_signature"
like "$messages" "seq [0-9]+: the payload is not the canonical form" "the_respaced_payload_is_not_canonical"
like "$messages" "not an OCMF record line \('SD' missing or bad\)" \
    "the_cut_line_names_its_cut_signature"
like "$messages" "not an OCMF record line \('payload' missing or bad\)" \
    "the_empty_line_names_its_payload"

# A relative FILE is the caller's, not pilesim's.
(cd "$tmp" && ctl cloud import r.csv >/dev/null)
tap $? "a_relative_file_name_is_read_from_the_callers_folder"

# Tampered lines are refused, each with its reason; nothing of them is kept.
python3 - "$tmp" <<'PY' || exit 1
import json, sys
d = sys.argv[1]
lines = [json.loads(l) for l in open(d + "/r.jsonl")]
out = open(d + "/bad.jsonl", "w")
def put(rec, **kw):
    r = dict(rec)
    r.update(kw)
    out.write(json.dumps(r) + "\n")
s1 = [r for r in lines if r["pile"] == "SIM-0001"]
s2 = [r for r in lines if r["pile"] == "SIM-0002"]
# a signed record with one more Wh: the signature no longer holds
put(s1[0], seq=901, energy_wh_sharp=s1[0]["energy_wh_sharp"] + 1)
# an unsigned record changed after the pull: its CRC says so
put(s2[0], seq=902)
# money that does not follow from energy and the tariff (no CRC to hide it)
put(s2[1], seq=903, crc=None, energy_fee_sharp=s2[1]["energy_fee_sharp"] + 100,
    energy_fee_minor=s2[1]["energy_fee_minor"] + 100,
    total_fee_minor=s2[1]["total_fee_minor"] + 100)
# a tariff version the cloud never published
put(s2[2], seq=904, crc=None, tariff_version=77)
# the same serial and seq as a record held, other bytes, no store to tell
put(s2[3], crc=None, holder="someone else")
# a signed pile's record without its signature
put(s1[1], seq=905, signature=None, public_key=None)
out.write("{\"pile\":\"SIM-0001\"}\n")
PY
out=$(ctl cloud import "$tmp/bad.jsonl" --json 2>&1)
rc=$?
is "$rc" 1 "an_import_with_refused_records_exits_1"
is "$(echo "$out" | jget received)" 0 "no_tampered_record_is_received"
is "$(echo "$out" | jget refused)" 7 "every_tampered_record_is_refused"
reasons=$(echo "$out" | python3 -c 'import json,sys; print(" ".join(r["reason"] for r in json.load(sys.stdin)["refusals"]))')
is "$reasons" "signature crc money tariff conflict unsigned format" "each_refusal_says_why"
like "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refusals"][2]["message"])')" \
    "SIM-0002 seq 903: energy fee of period sharp is [0-9]+, but [0-9]+ Wh at 1.20000 per kWh \(tariff 1\) is [0-9]+" \
    "a_money_refusal_shows_the_computation"
out=$(ctl cloud import "$tmp/bad.jsonl" 2>&1)
like "$out" "refused: .*bad.jsonl:3: SIM-0002 seq 903: energy fee" "text_refusals_name_file_and_line"
like "$out" "7 records, 0 received, 0 duplicates, 7 refused" "text_summary_counts_them"
is "$(ctl cloud records --json | grep -c '"seq"')" 10 "the_cloud_still_holds_10_records"

# The link returns: resync brings the same records, the cloud keeps one copy.
ctl link 1 up >/dev/null
ctl link 2 up >/dev/null
n=0
while [ $n -lt 300 ] && { [ "$(pc --json status | jget unsynced)" != 0 ] ||
    [ "$(pc -a 2 --json status | jget unsynced)" != 0 ]; }; do
	sleep 0.1
	n=$((n + 1))
done
is "$(pc --json status | jget unsynced)$(pc -a 2 --json status | jget unsynced)" 00 \
    "resync_uploads_what_the_piles_hold"
is "$(ctl cloud stats --json | jget duplicates)" 10 "resync_finds_every_record_already_imported"
is "$(ctl cloud records --json | grep -c '"seq"')" 10 "the_cloud_ends_with_each_record_once"

# Restarted, the cloud reads its file back the same.
sim_stop TERM
start_sim --frozen-clock --piles 2 --protocol 2:1.0
out=$(ctl cloud import "$tmp/r.csv" --json)
is "$(echo "$out" | jget duplicates)" 10 "after_a_restart_the_import_still_finds_each_record"

# A cloud that never saw them takes the OCMF export as it takes a CSV: the
# 5 signed records received, then the CSV finds those 5 held.
sim_stop TERM
rm -f "$tmp/sim/cloud.jsonl"
start_sim --frozen-clock --piles 2 --protocol 2:1.0
out=$(ctl cloud import "$tmp/r.ocmf" --json)
is "$(echo "$out" | jget records)/$(echo "$out" | jget received)/$(echo "$out" | jget refused)" \
    5/5/0 "an_ocmf_import_into_an_empty_cloud_receives_each_signed_record"
out=$(ctl cloud import "$tmp/r.csv")
like "$out" "10 records, 5 received, 5 duplicates, 0 refused" \
    "the_csv_then_finds_the_ocmf_records_held"
done_testing
