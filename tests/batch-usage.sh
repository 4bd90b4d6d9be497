#!/bin/sh
# batch-usage.sh - the command line without a pile: usage errors exit 2 and
# say what was wrong; the config file's errors name file:line:column; help.
. "$top_srcdir/tests/batch-lib.sh"

run frobnicate
is "$rc" 2 "unknown_command_exits_2"
like "$err" "unknown command 'frobnicate'" "unknown_command_is_named"
like "$err" "^usage: pilecon" "unknown_command_prints_usage"

run whitelist frob
is "$rc" 2 "unknown_subcommand_exits_2"
like "$err" "usage: pilecon whitelist add UID" "unknown_subcommand_lists_the_group"

run --bogus status
is "$rc" 2 "unknown_global_option_exits_2"
like "$err" "unknown option '--bogus'" "unknown_global_option_is_named"

run status --bogus
is "$rc" 2 "unknown_command_option_exits_2"
like "$err" "unknown option '--bogus' for 'status'" "unknown_command_option_is_named"
like "$err" "usage: pilecon status" "unknown_command_option_prints_the_command_usage"

run whitelist add
is "$rc" 2 "missing_argument_exits_2"
like "$err" "'whitelist add' needs 1 argument" "missing_argument_is_said"

run -a 248 status
is "$rc" 2 "address_out_of_range_exits_2"
like "$err" "bad value '248' for --address" "address_out_of_range_is_said"

run </dev/null
is "$rc" 2 "no_command_off_a_terminal_exits_2"
like "$err" "usage: pilecon" "no_command_off_a_terminal_prints_usage"

run --help
is "$rc" 0 "help_exits_0"
for c in "status" "offline on" "whitelist import" "logs pull" "logs export" "resync" "tariff show" "clock set" "scan" "ports"; do
	like "$out" "^  $c " "help_lists_$(echo "$c" | tr ' ' _)"
done

run help whitelist add
is "$rc" 0 "help_command_exits_0"
like "$out" "usage: pilecon whitelist add UID \[--expires DATE\] \[--holder NAME\]" "help_command_shows_its_usage"

run logs export --help
is "$rc" 0 "command_help_option_exits_0"
like "$out" "--format csv\|jsonl" "command_help_option_shows_usage"

run --version
like "$out" "^pilecon [0-9]" "version_is_printed"

# No port anywhere: said plainly, with where to give one.
run status
is "$rc" 2 "status_without_port_exits_2"
like "$err" "no port given: use -p PORT" "status_without_port_says_how"

run -p "$tmp/no-such-port" status
is "$rc" 1 "missing_port_fails"
like "$err" "no-such-port" "missing_port_is_named"

run -p /dev/null offline on --for 8d
is "$rc" 2 "offline_for_more_than_7_days_is_refused_before_connecting"
like "$err" "at most 7d" "offline_limit_is_said"
run -p /dev/null offline on --for 90
is "$rc" 2 "offline_duration_without_unit_exits_2"
like "$err" "a unit is missing" "offline_duration_error_says_why"

# The config file: unknown keys and bad values name file:line:column.
mkdir -p "$XDG_CONFIG_HOME/pilecon"
printf 'port: /dev/ttyUSB0\nbaud: 9600\nadress: 3\n' >"$XDG_CONFIG_HOME/pilecon/config.yaml"
run status
is "$rc" 2 "config_with_unknown_key_exits_2"
like "$err" "config.yaml:3:1: unknown key 'adress' \(known keys: port, address, baud" "config_unknown_key_names_file_line_column"
printf 'port: /dev/ttyUSB0\nbaud: lots\n' >"$XDG_CONFIG_HOME/pilecon/config.yaml"
run status
like "$err" "config.yaml:2:7: bad value 'lots' for 'baud'" "config_bad_value_names_file_line_column"
printf 'baud: 9600\n' >"$tmp/other.yaml"
printf 'port: /dev/ttyUSB0\nbogus: 1\n' >"$XDG_CONFIG_HOME/pilecon/config.yaml"
run --config "$tmp/other.yaml" --archive "$tmp/a.db" logs list
is "$rc" 0 "config_option_replaces_the_default_config"
run --config "$tmp/missing.yaml" status
is "$rc" 2 "missing_named_config_exits_2"
like "$err" "cannot open config file '$tmp/missing.yaml'" "missing_named_config_is_named"
rm "$XDG_CONFIG_HOME/pilecon/config.yaml"

# logs list and export need no pile: an empty archive lists nothing.
run --archive "$tmp/a.db" logs list --json
is "$rc" 0 "logs_list_of_an_empty_archive_works_without_a_port"
is "$out" "" "logs_list_of_an_empty_archive_is_empty"
run --archive "$tmp/a.db" logs export --format xml
is "$rc" 2 "logs_export_unknown_format_exits_2"
like "$err" "unknown format 'xml'" "logs_export_unknown_format_is_named"

done_testing
