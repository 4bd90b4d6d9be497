#!/bin/sh
# inputs-every-document-true-position.sh - inputs: a YAML file (the config,
# a provisioning file) with a second document is refused at the '---' that
# starts it, not cut to its first; a bad byte is reported at its true
# line:column, not 1:1; a folder given as --config says it is a folder; and
# every such refusal is bad input (exit 2). A broken config does not stop
# 'pilecon help'.
. "$top_srcdir/tests/batch-lib.sh"

printf 'baud: 9600\n---\nport: /dev/ttyUSB9\n' >"$tmp/two.yaml"
run --config "$tmp/two.yaml" logs list
is "$rc" 2 "config_with_two_documents_exits_2"
like "$err" "two.yaml:2:1: a second YAML document" "config_second_document_refused_at_its_start"

printf 'piles:\n  - address: 1\n---\npiles:\n  - address: 2\n' >"$tmp/prov.yaml"
run -p "$tmp/no-port" provision "$tmp/prov.yaml" --dry-run
is "$rc" 2 "provisioning_file_with_two_documents_exits_2"
like "$err" "prov.yaml:3:1: a second YAML document" "provisioning_second_document_refused"

printf 'baud: 9600\nretries: 2\nport: /dev/tty\377USB0\n' >"$tmp/bad-utf8.yaml"
run --config "$tmp/bad-utf8.yaml" logs list
is "$rc" 2 "config_with_bad_utf8_exits_2"
like "$err" "bad-utf8.yaml:3:15: .*0xFF" "bad_utf8_reported_at_its_line_and_column"

printf 'piles:\n  - address: 1\n    whitelist:\n      - uid: 04A1B2C3\n        holder: "\377"\n' \
	>"$tmp/prov-utf8.yaml"
run -p "$tmp/no-port" provision "$tmp/prov-utf8.yaml" --dry-run
is "$rc" 2 "provisioning_file_with_bad_utf8_exits_2"
like "$err" "prov-utf8.yaml:5:18: " "provisioning_bad_utf8_at_its_line_and_column"

mkdir "$tmp/confdir"
run --config "$tmp/confdir" logs list
is "$rc" 2 "config_folder_exits_2"
like "$err" "confdir': it is a folder" "config_folder_says_it_is_a_folder"

run --config "$tmp/two.yaml" help
is "$rc" 0 "help_runs_despite_a_broken_config"
like "$out" "usage: pilecon" "help_prints_the_usage"
like "$err" "warning: .*ignored by 'help'" "help_says_the_config_is_broken"

done_testing
