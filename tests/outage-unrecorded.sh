#!/bin/sh
# The other full policy: a full pile set to charge without a record charges
# the card, stores nothing, and counts it; `status` shows the policy and the
# count (JSON and text), so an operator knows what was charged and not
# billed. The records it did store are kept, none overwritten.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --frozen-clock --record-capacity 3

ok "whitelist_add" pc whitelist add 04A1B2C3
like "$(ctl settings 1 full-policy unrecorded)" "unrecorded" "the_pile_is_set_to_charge_without_a_record"
ctl link 1 down >/dev/null
out=$(ctl sessions 1 04A1B2C3 5 --json)
is "$(echo "$out" | jget refused)" 0 "no_session_is_refused"
is "$(echo "$out" | jget unrecorded)" 2 "two_sessions_charge_without_a_record"
st=$(pc --json status)
is "$(echo "$st" | jget store.full_policy)" unrecorded "status_json_names_the_policy"
is "$(echo "$st" | jget store.unrecorded)" 2 "status_json_counts_the_unrecorded_sessions"
is "$(echo "$st" | jget store.refused_full)" 0 "status_json_counts_no_refusal"
is "$(echo "$st" | jget last_seq)" 3 "the_pile_numbered_3_records"
text=$(pc status)
like "$text" "store full: 0 sessions refused, 2 charged without a record" \
    "status_text_counts_them"
like "$text" "when full: charge without a record" "status_text_says_what_a_full_store_does"
is "$(ctl pile records 1 --json | grep -c '"seq"')" 3 "the_3_stored_records_are_kept"
done_testing
