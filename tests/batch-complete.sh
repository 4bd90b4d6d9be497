#!/bin/sh
# batch-complete.sh - `pilecon --complete`, which the bash completion script
# asks: commands, subcommands, options, option values, ports and files.
. "$top_srcdir/tests/batch-lib.sh"

c() { "$PILECON" --complete -- "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }

is "$(c "")" "clock help logs offline ping ports provision resync scan status tariff whitelist" "first_word_is_a_command"
is "$(c w)" "whitelist" "command_prefix_completes"
is "$(c whitelist "")" "add block export import list remove sync" "subcommands_of_a_group"
is "$(c offline o)" "off on" "subcommand_prefix"
is "$(c --j)" "--json" "global_option_prefix"
is "$(c -a 3 st)" "status" "command_after_a_global_option_with_value"
is "$(c logs export --)" "--format --help --json --pile" "options_of_a_command"
is "$(c logs export --format "")" "csv jsonl" "value_of_format"
is "$(c offline on --for 1)" "1d 1h" "durations_offered"
is "$(c help whitelist i)" "import" "help_completes_command_words"

mkdir -p "$tmp/d/sub"
: >"$tmp/d/cards.csv"
: >"$tmp/d/other.txt"
is "$(c whitelist import "$tmp/d/c")" "$tmp/d/cards.csv" "file_argument_completes_files"
is "$(c whitelist import "$tmp/d/s")" "$tmp/d/sub/" "folders_end_in_a_slash"
is "$(c --keys "$tmp/d/o")" "$tmp/d/other.txt" "path_option_completes_files"
# A port: character devices and links to them (pilesim's bus link to a
# /dev/pts/N), not plain files.
ln -s /dev/null "$tmp/d/bus"
is "$(c -p "$tmp/d/")" "$tmp/d/bus $tmp/d/sub/" "port_completes_devices_and_links_to_them_not_files"
like "$(c -p "")" "tcp:" "port_offers_tcp"

done_testing
