#!/bin/sh
# Seed 000 end to end over a pseudo-terminal: a pile forced offline
# authorizes a whitelisted card, meters 7 kW for 2 simulated hours, stores the
# record; pilecon pulls it once, exports it, and resync delivers it to the
# cloud exactly once.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 3 --frozen-clock

ctl tariff set 7 --energy $TEST_ENERGY --service $TEST_SERVICE --slots $TEST_SLOTS >/dev/null
is "$(pc --json tariff show | jget version)" 7 "pile_receives_the_cloud_tariff_while_online"

ok "whitelist_add_with_holder_name" pc whitelist add 04A1B2C3 --holder "张三"
ok "force_offline_for_4h" pc offline on --for 4h
st=$(pc --json status)
is "$(echo "$st" | jget link)" forced_offline "status_shows_forced_offline"
fu=$(echo "$st" | jget forced_until)
clk=$(echo "$st" | jget clock)
is "$(( (fu - clk + 30) / 60 ))" 240 "forced_offline_expires_in_4h_of_pile_clock"

ok "clock_set_to_0900_utc" pc clock set 2026-11-25T09:00:00Z
ctl swipe 1 04A1B2C3 >/dev/null
st=$(pc --json status)
is "$(echo "$st" | jget card.last_uid)" 04A1B2C3 "status_shows_swiped_uid"
is "$(echo "$st" | jget card.last_result)" accepted "whitelisted_card_accepted_offline"
ctl plug 1 >/dev/null
ctl power 1 7000 >/dev/null
ctl advance 7200 >/dev/null
st=$(pc --json status)
is "$(echo "$st" | jget power_w)" 7000 "status_shows_7kw_while_charging"
ctl unplug 1 >/dev/null
st=$(pc --json status)
is "$(echo "$st" | jget unsynced)" 1 "record_stored_unsynced_while_offline"

ok "logs_pull" pc logs pull
pull2=$(pc logs pull 2>&1)
like "$pull2" "pulled 0 records|0 new|nothing new|up to date" "second_pull_adds_nothing"
pc logs export --format jsonl -o "$tmp/out.jsonl"
is "$(wc -l <"$tmp/out.jsonl" | tr -d ' ')" 1 "export_holds_one_record"
rec=$(head -1 "$tmp/out.jsonl")
is "$(echo "$rec" | jget energy_wh)" 14000 "record_energy_is_14000_wh"
is "$(echo "$rec" | jget energy_wh_peak)" 7000 "peak_hour_09_10_holds_7000_wh"
is "$(echo "$rec" | jget energy_wh_flat)" 7000 "flat_hour_10_11_holds_7000_wh"
is "$(echo "$rec" | jget energy_fee_peak)" 700 "peak_energy_fee_7000wh_at_1.00000"
is "$(echo "$rec" | jget energy_fee_flat)" 595 "flat_energy_fee_7000wh_at_0.85000"
is "$(echo "$rec" | jget service_fee_peak)" 210 "peak_service_fee_7000wh_at_0.30000"
is "$(echo "$rec" | jget service_fee_flat)" 175 "flat_service_fee_7000wh_at_0.25000"
is "$(echo "$rec" | jget total_fee_minor)" 1680 "total_fee_is_sum_of_rounded_parts"
is "$(echo "$rec" | jget tariff_version)" 7 "offline_record_settles_at_last_received_tariff"
is "$(echo "$rec" | jget offline)" true "record_has_offline_flag"
is "$(echo "$rec" | jget card_uid)" 04A1B2C3 "record_carries_card_uid"
is "$(echo "$rec" | jget holder)" "张三" "record_carries_holder_name"

is "$(ctl cloud records --json | jget length)" 0 "cloud_has_nothing_while_forced_offline"
ok "offline_off" pc offline off
ok "resync_wait" pc resync --wait
is "$(pc --json status | jget unsynced)" 0 "unsynced_falls_to_zero"
ok "second_resync_is_harmless" pc resync --wait
cloud=$(ctl cloud records --json)
is "$(echo "$cloud" | jget length)" 1 "cloud_holds_the_record_exactly_once"
is "$(echo "$cloud" | jget 0.seq)" 1 "cloud_record_is_seq_1"
is "$(echo "$cloud" | jget 0.energy_wh)" 14000 "cloud_record_energy_matches"
done_testing
