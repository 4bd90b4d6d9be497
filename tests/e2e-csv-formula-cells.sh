#!/bin/sh
# A CSV export never hands a spreadsheet a formula: a cell from the pile
# that begins with '=', '+', '-', '@' (or an apostrophe, so the rule can be
# undone) gets an apostrophe in front, the header line says so, the JSON
# Lines export keeps the text as it is, and 'logs verify' reads the CSV
# back to the very records the pile signed.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 1 --frozen-clock --clock 1700000000
ctl link 1 down >/dev/null
n=0
for h in "=1+1" "+SUM(A1)" "-2+3" "@cmd" "'quoted" "plain"; do
	n=$((n + 1))
	uid=04BE4C0$n
	ctl whitelist 1 add "$uid" --holder "$h" >/dev/null
	ctl swipe 1 "$uid" >/dev/null && ctl plug 1 >/dev/null &&
	    ctl advance 600 >/dev/null && ctl unplug 1 >/dev/null
done
ok "pull" pc -a 1 logs pull
ok "export_csv" pc logs export --format csv -o "$tmp/r.csv"
ok "export_jsonl" pc logs export --format jsonl -o "$tmp/r.jsonl"
like "$(head -n 1 "$tmp/r.csv")" "^#.*formula injection" "csv_header_line_says_cells_are_neutralised"
holders() {	# the holder column of the CSV, one a line, as a CSV reader reads it
	/usr/bin/python3 - "$1" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f:
    lines = [l for l in f if not l.startswith("#")]
for row in csv.DictReader(lines):
    print(row["holder"])
PY
}
is "$(holders "$tmp/r.csv" | tr '\n' ' ')" "'=1+1 '+SUM(A1) '-2+3 '@cmd ''quoted plain " \
    "csv_cells_beginning_with_formula_characters_get_an_apostrophe"
is "$(/usr/bin/python3 -c '
import json, sys
print(" ".join(json.loads(l)["holder"] for l in open(sys.argv[1])))' "$tmp/r.jsonl")" \
    "=1+1 +SUM(A1) -2+3 @cmd 'quoted plain" "jsonl_keeps_the_text_as_it_is"
out=$(pc logs verify "$tmp/r.csv")
tap $? "the_neutralised_csv_verifies"
like "$out" "6 good, 0 bad" "every_signature_holds_after_the_apostrophes_are_dropped"
done_testing
