#!/bin/sh
# A card added in the console's whitelist view authorizes an offline swipe.
. "$top_srcdir/tests/tui-lib.sh"

start_sim
start_console 120 24 -a 2
wait_for 'piles? answers? on the bus' 20
keys 3
wait_for 'whitelist v[0-9]+ of SIM-0002' 10
ok $? "whitelist_view_reads_the_list_of_the_selected_pile"

keys a
wait_for 'card UID to add' 5
keys '04:c0:ff:ee' Enter
wait_for 'holder name' 5
keys 'Zhang Wei' Enter
wait_for 'expires' 5
keys '2099-12-31' Enter
wait_for 'store card 04C0FFEE \(Zhang Wei\), accepted, expires 2099-12-31 on SIM-0002\? y/n' 5
ok $? "adding_a_card_asks_for_confirmation_naming_what_is_stored"
keys y
wait_for '04C0FFEE +accepted +2099-12-31 +Zhang Wei' 10
ok $? "the_added_card_is_listed_after_the_write"
keys 5
wait_for 'whitelist of SIM-0002: accepted 04C0FFEE \(Zhang Wei\), expires 2099-12-31.*; version [1-9][0-9]*' 5
ok $? "the_write_result_is_logged_with_the_new_version"
keys 3

ctl link 2 down >/dev/null
ctl plug 2 >/dev/null
ctl swipe 2 04C0FFEE >"$tmp/swipe.out"
grep -q accepted "$tmp/swipe.out"
ok $? "a_card_added_in_the_console_authorizes_an_offline_swipe"
keys 2
wait_for 'accepted offline: on the whitelist' 5 && screen | grep -q 'last card 04C0FFEE (Zhang Wei)'
ok $? "dashboard_says_why_the_card_was_accepted_and_whose_it_is"
ctl unplug 2 >/dev/null

# Search and block.
keys 3 / 'zhang' Enter
wait_for 'search: zhang' 5
keys b
wait_for 'store card 04C0FFEE \(Zhang Wei\), blocked' 5
keys y
wait_for '04C0FFEE +blocked' 10
ok $? "blocking_the_searched_card_shows_it_blocked"
ctl plug 2 >/dev/null
ctl swipe 2 04C0FFEE >/dev/null
keys 2
wait_for 'refused: blocked on the whitelist' 5
ok $? "the_blocked_card_is_refused_offline"

keys q
wait_for 'pilecon exited' 5
json=$(batch -a 2 --json status)
printf '%s' "$json" | grep -q '"last_uid":"04C0FFEE"' &&
    printf '%s' "$json" | grep -q '"last_result":"blocked"'
ok $? "status_json_agrees_the_card_was_refused_as_blocked"
done_testing
