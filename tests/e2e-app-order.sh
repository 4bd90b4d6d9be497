#!/bin/sh
# Seed 004 end to end: the app reads the pile's device id, gets the latest
# rate, confirms; the pile charges and settles at that rate even though the
# cloud tariff changes mid-charge.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 3 --frozen-clock

ctl tariff set 7 --energy $TEST_ENERGY --service $TEST_SERVICE --slots $TEST_SLOTS >/dev/null
dev=$(pc -a 2 --json status | jget device_id 2>/dev/null || echo PILE-SIM-0002)
is "$dev" PILE-SIM-0002 "device_id_is_the_qr_content"
rate=$(ctl app-order "$dev")
is "$(echo "$rate" | jget tariff_version)" 7 "app_gets_latest_rate_version"
ok "clock_set_to_0900_utc" pc -a 2 clock set 2026-11-25T09:00:00Z
ctl plug 2 >/dev/null
order=$(ctl app-order "$dev" --confirm)
oid=$(echo "$order" | jget order_id)
like "$oid" '.' "confirm_returns_an_order_id"
is "$(echo "$order" | jget tariff_version)" 7 "order_carries_confirmed_version"
st=$(pc -a 2 --json status)
is "$(echo "$st" | jget session.source)" app_order "session_source_is_app_order"
ctl advance 3600 >/dev/null
ctl tariff set 8 --energy 2.4,2.0,1.7,0.8 --service 0.8,0.6,0.5,0.2 --slots $TEST_SLOTS >/dev/null
is "$(pc -a 2 --json status | jget tariff_version)" 8 "online_pile_receives_new_tariff_mid_charge"
is "$(pc -a 2 --json status | jget session.tariff_version)" 7 "running_order_keeps_confirmed_version"
ctl advance 3600 >/dev/null
ctl unplug 2 >/dev/null

ok "logs_pull" pc -a 2 logs pull
pc logs export --format jsonl -o "$tmp/out.jsonl"
rec=$(head -1 "$tmp/out.jsonl")
is "$(echo "$rec" | jget kind)" app_order "record_kind_is_app_order"
is "$(echo "$rec" | jget order_id)" "$oid" "record_carries_order_id"
is "$(echo "$rec" | jget tariff_version)" 7 "settled_at_confirmed_version"
is "$(echo "$rec" | jget energy_wh)" 14000 "energy_14000_wh"
is "$(echo "$rec" | jget energy_fee_minor)" 1295 "energy_fee_at_v7_prices_700_plus_595"
is "$(echo "$rec" | jget service_fee_minor)" 385 "service_fee_at_v7_prices_210_plus_175"
is "$(echo "$rec" | jget offline)" false "online_order_has_no_offline_flag"
done_testing
