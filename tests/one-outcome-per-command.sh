#!/bin/sh
# one-outcome-per-command.sh - contradictory outcomes: an import that cannot
# fit the pile is refused before its first write (nothing imported, the
# list as it was), not stopped when the pile is full; an export, list or
# report of a pile the archive does not hold says nothing matched (and
# writes no file), never an empty answer.
. "$top_srcdir/tests/batch-lib.sh"

start_sim --piles 1 --wl-capacity 8
echo "uid,status,expires,holder" >"$tmp/ten.csv"
for i in 0 1 2 3 4 5 6 7 8 9; do echo "0A0B0C1$i,accepted,,card $i" >>"$tmp/ten.csv"; done
pc whitelist add 0A0B0C10 --holder "card 0"
pc whitelist import "$tmp/ten.csv"
is "$rc" 2 "import_that_cannot_fit_is_bad_input_exits_2"
like "$err" "adds 9 new cards to the 1 of SIM-0001, which holds at most 8.*nothing imported" \
    "import_that_cannot_fit_says_why_before_writing"
unlike "$err" "stopped after" "import_is_not_stopped_half_way"
pc whitelist list --json
is "$(printf '%s' "$out" | jget count)" 1 "refused_import_wrote_no_card"

head -n 8 "$tmp/ten.csv" >"$tmp/seven.csv"
pc whitelist import "$tmp/seven.csv"
is "$rc" 0 "import_that_fits_with_cards_already_held_exits_0"

pc logs export --format csv --pile NOPE -o "$tmp/nope.csv"
is "$rc" 1 "export_of_an_unknown_pile_exits_1"
like "$err" "no records of pile 'NOPE' in the archive" "export_of_an_unknown_pile_says_nothing_matched"
[ ! -e "$tmp/nope.csv" ]
tap $? "export_of_an_unknown_pile_writes_no_file"
# The same for every --pile of the archive's commands: not an empty answer.
pc logs list --pile NOPE
is "$rc" 1 "list_of_an_unknown_pile_exits_1"
like "$err" "no records of pile 'NOPE' in the archive.*nothing matched" \
    "list_of_an_unknown_pile_says_nothing_matched"
pc logs report --by day --pile NOPE
is "$rc" 1 "report_of_an_unknown_pile_exits_1"
like "$err" "no records of pile 'NOPE' in the archive.*nothing matched" \
    "report_of_an_unknown_pile_says_nothing_matched"
unlike "$out" "total" "report_of_an_unknown_pile_prints_no_zero_table"

done_testing
