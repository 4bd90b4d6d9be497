#!/bin/sh
# The console finds every pile of a 32-pile bus by itself: the first 8 at
# once, the rest in the background while the keys answer; the range and the
# addresses that answered go to the config, and the next start asks those
# first.
. "$top_srcdir/tests/tui-lib.sh"

cfg=$tmp/config/pilecon/config.yaml
wait_file() {	# ERE FILE: waits up to 10 s for a line of FILE to match
	i=0
	until grep -Eq -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge 100 ] && return 1
		sleep 0.1
	done
}

sim_start --piles 32
# 60 lines: the bus view shows all 32 piles at once, the events view the
# whole start.
start_console 160 60
keys 5
wait_for '8 piles answer on the bus' 20
ok $? "the_first_look_covers_addresses_1_to_8"
keys 2
wait_for 'energy register' 10
ok $? "keys_answer_while_the_search_runs"
keys 1
wait_for ' bus +SIM-0001 @1 \(1/32\)' 60
ok $? "all_32_piles_appear_as_they_answer"
missing=""
for a in $(seq 1 32); do
	wait_for "^ +$a SIM-00$(printf %02d "$a") +online" 10 >/dev/null || missing="$missing $a"
done
tap_is "$missing" "" "the_bus_view_lists_each_of_the_32_piles"
keys 5
wait_for 'looking for piles at addresses 1-8, then 1-247 in the background' 5
ok $? "the_search_covers_addresses_1_to_247_by_default"
# Leaving before the search is over keeps what it found.
keys q
wait_for 'pilecon exited' 10
wait_file '^bus_range: "1-247"$' "$cfg" && wait_file '^bus_known: "1-32"$' "$cfg"
ok $? "the_range_and_the_known_addresses_are_kept_in_the_config"

start_console 160 60 --bus-range 1-40
keys 5
wait_for 'looking for piles at addresses 1-32 \(known\), then 1-40 in the background' 20
ok $? "the_next_start_asks_the_known_addresses_first"
wait_for '32 piles answer on the bus' 30
ok $? "the_known_piles_are_found_by_the_first_look"
wait_for 'search of addresses 1-40 over in .*: 32 piles answer on the bus' 30
ok $? "the_search_of_a_range_says_when_it_is_over"
wait_file '^bus_range: "1-40"$' "$cfg" && wait_file '^bus_known: "1-32"$' "$cfg"
ok $? "the_range_given_is_kept_for_next_time"
keys q
wait_for 'pilecon exited' 10
timeout 10 "$top_builddir/pilecon" --config "$cfg" ports >/dev/null 2>&1
ok $? "the_config_the_console_wrote_reads_back"
done_testing
