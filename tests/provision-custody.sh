#!/bin/sh
# provision-custody.sh - `custody: true` in a provisioning file (in defaults
# or per pile): after the pile is provisioned its records are pulled into
# the archive, verified and handed into custody, so a pile deep in an
# outage gets its room back in the same visit; a pile may say no; a 1.0
# pile cannot and fails with why.
. "$top_srcdir/tests/provision-lib.sh"

start_sim --piles 3 --frozen-clock --record-capacity 20 --protocol 3:1.0
for a in 1 2 3; do
	sim_ctl "$tmp/sim" whitelist "$a" add 04A1B2C3 >/dev/null
	sim_ctl "$tmp/sim" link "$a" down >/dev/null
	sim_ctl "$tmp/sim" sessions "$a" 04A1B2C3 17 --gap 1800 >/dev/null
done
cat >"$tmp/custody.yaml" <<YAML
defaults:
  custody: true
piles:
  - address: 1
  - address: 2
    custody: false
YAML
cat >"$tmp/old.yaml" <<YAML
piles:
  - address: 3
    custody: true
YAML

pc provision "$tmp/custody.yaml" --dry-run
is "$rc" 0 "dry_run_exits_0"
like "$out" "custody +pull the records, then hand them into custody" "the_plan_says_custody"
is "$(pc --json status >/dev/null; printf '%s' "$out" | jget store.custody)" 0 \
    "a_dry_run_hands_nothing_over"

pc provision "$tmp/custody.yaml"
is "$rc" 0 "provision_with_custody_exits_0"
like "$out" "custody: SIM-0001: pulled 17 new records, handed 1\.\.17 into custody \(17 records\)" \
    "the_result_says_what_went_into_custody"
pc --json status
is "$(printf '%s' "$out" | jget store.custody)" 17 "pile_1_holds_17_records_in_custody"
pc -a 2 --json status
is "$(printf '%s' "$out" | jget store.custody)" 0 "a_pile_saying_custody_false_keeps_none"
pc --json logs list
is "$(printf '%s\n' "$out" | grep -c '"serial":"SIM-0001"')" 17 "the_records_are_in_the_archive"

# The pile can now charge past its capacity: 10 more sessions fit.
sim_ctl "$tmp/sim" sessions 1 04A1B2C3 10 --json >"$tmp/s.json"
is "$(jget refused <"$tmp/s.json")" 0 "after_custody_the_full_pile_charges_on"

pc provision "$tmp/custody.yaml" --json
is "$rc" 0 "a_second_visit_exits_0"
is "$(printf '%s' "$out" | python3 -c 'import json,sys; p=json.load(sys.stdin)["piles"][0]["custody"]; print(p["pulled"], p["first_seq"], p["last_seq"], p["count"])')" \
    "10 18 27 10" "a_second_visit_pulls_and_hands_over_only_the_new_records"

pc provision "$tmp/old.yaml"
is "$rc" 1 "custody_on_a_1_0_pile_fails"
like "$out" "custody: .*cannot take records into custody" "and_says_why"
done_testing
