#!/bin/sh
# Offline authorization refuses blocked, expired and unknown cards, and the
# unknown-card policy is what the pile reports.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 1 --frozen-clock

ok "whitelist_add_expired_card" pc whitelist add 04EEEEEE --expires 2020-01-01
ok "whitelist_add_blocked_card" pc whitelist add 04BBBBBB
ok "whitelist_block_card" pc whitelist block 04BBBBBB
ok "force_offline" pc offline on --for 1h
ctl plug 1 >/dev/null

for c in "04BBBBBB blocked" "04EEEEEE expired" "04CCCCCC unknown_card"; do
	uid=${c%% *}; want=${c#* }
	ctl swipe 1 "$uid" >/dev/null
	st=$(pc --json status)
	is "$(echo "$st" | jget card.last_result)" "$want" "offline_swipe_of_${want%_card}_card_is_refused"
	is "$(echo "$st" | jget session.source)" none "no_session_after_${want%_card}_card"
done
is "$(pc --json status | jget offline_auth.unknown_card)" refuse "unknown_cards_refused_by_default"
ctl settings 1 unknown-card accept >/dev/null
is "$(pc --json status | jget offline_auth.unknown_card)" accept "policy_change_is_readable"
ctl swipe 1 04CCCCCC >/dev/null
st=$(pc --json status)
is "$(echo "$st" | jget card.last_result)" unknown_card_accepted "unknown_card_accepted_when_policy_says_so"
is "$(echo "$st" | jget session.source)" offline_card "policy_accepted_card_charges"
ctl unplug 1 >/dev/null
is "$(pc --json status | jget unsynced)" 1 "only_the_accepted_card_left_a_record"
done_testing
