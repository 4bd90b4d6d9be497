#!/bin/sh
# The dashboard shows what `pilecon status --json` reports, and forcing a
# pile offline from the console shows forced offline with its expiry.
. "$top_srcdir/tests/tui-lib.sh"

json_num() {	# KEY JSON: the first "KEY":NUMBER
	printf '%s' "$2" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2
}

start_sim
# Something to see: a finished offline hour at 7 kW on pile 1.
batch -a 1 whitelist add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
ctl plug 1 >/dev/null
ctl swipe 1 04A1B2C3 >/dev/null
ctl power 1 7000 >/dev/null
ctl advance 3600 >/dev/null
ctl unplug 1 >/dev/null
# The console holds the port while it runs: read the truth first.
json=$(batch -a 1 --json status)
energy=$(json_num energy_wh "$json")
power=$(json_num power_w "$json")
unsynced=$(json_num unsynced "$json")
tariff=$(json_num tariff_version "$json")
echo "# status --json: energy_wh=$energy power_w=$power unsynced=$unsynced tariff=$tariff"
[ "$energy" -gt 0 ] && [ "$unsynced" -gt 0 ]
ok $? "the_scenario_left_energy_and_an_unsynced_record_to_compare"

start_console 80 24 -a 1
wait_for 'piles? answers? on the bus' 20
keys 2
wait_for 'energy register' 5
ok $? "dashboard_opens_on_key_2"
kwh=$(printf '%d.%03d kWh' $((energy / 1000)) $((energy % 1000)))
kw=$(printf '%d.%02d kW' $((power / 1000)) $((power % 1000 / 10)))
wait_for "energy register $kwh" 5
ok $? "dashboard_energy_register_equals_status_json_energy_wh"
screen | grep -q "power $kw"
ok $? "dashboard_power_equals_status_json_power_w"
screen | grep -q " $unsynced unsynced"
ok $? "dashboard_unsynced_equals_status_json_unsynced"
screen | grep -q "tariff v$tariff "
ok $? "dashboard_tariff_version_equals_status_json_tariff_version"
screen | grep -q 'last card 04A1B2C3'
ok $? "dashboard_shows_the_last_card_uid"

# Force offline for 2 hours through the console.
keys o
wait_for 'offline for how long' 5
ok $? "force_offline_asks_how_long"
keys C-u '2h' Enter
wait_for 'force SIM-0001 offline until [0-9:]+ \(2 h 0 m\)\? y/n' 5
ok $? "force_offline_confirmation_states_the_expiry"
keys y
wait_for 'forced offline until [0-9:]+ \(1 h 59 m left\)|forced offline until [0-9:]+ \(2 h 0 m left\)' 10
ok $? "dashboard_shows_forced_offline_with_its_expiry"

# Declining changes nothing.
keys O
wait_for 'end forced offline on SIM-0001' 5
keys n
wait_for 'cancelled: nothing was changed' 5
sleep 1
screen | grep -Eq 'forced offline until'
ok $? "answering_n_to_a_confirmation_changes_nothing"

keys q
wait_for 'pilecon exited' 5
json=$(batch -a 1 --json status)
until=$(json_num forced_until "$json")
clock=$(json_num clock "$json")
printf '%s' "$json" | grep -q '"link":"forced_offline"' &&
    [ $((until - clock)) -gt 7000 ] && [ $((until - clock)) -le 7200 ]
ok $? "the_pile_is_forced_offline_for_2_hours_after_the_console_set_it"
done_testing
