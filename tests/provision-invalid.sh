#!/bin/sh
# provision-invalid.sh - a provisioning file with mistakes is rejected whole:
# every error names file:line:column, and no pile is touched, not even the
# piles whose part of the file is good.
. "$top_srcdir/tests/provision-lib.sh"

start_sim --piles 4
cp "$DATA/prov-bad.yaml" "$tmp/"
bad=$tmp/prov-bad.yaml
before=$(all_states 4)

pc provision "$bad"
is "$rc" 2 "invalid_file_exits_2"
like "$err" "prov-bad.yaml:5:19: bad value 'allow' for 'unknown_card': expected 'refuse' or 'accept'" \
	"bad_value_in_defaults_names_line_and_column"
like "$err" "prov-bad.yaml:11:5: unknown key 'colour' in a pile" "unknown_key_names_line_and_column"
like "$err" "prov-bad.yaml:16:26: bad price '0.123456'" "bad_price_names_line_and_column"
like "$err" "prov-bad.yaml:18:9: the slots leave 23:00-23:30 without a period" \
	"slot_gap_names_line_and_column"
like "$err" "prov-bad.yaml:20:19: key rotation is not supported by protocol version 1.0" \
	"key_rotation_is_refused_clearly"
like "$err" "is invalid \(5 errors\): nothing was written to any pile" "error_count_and_nothing_written"
is "$out" "" "no_plan_for_an_invalid_file"
is "$(all_states 4)" "$before" "no_pile_was_touched"
pc --json provision "$bad" --dry-run
is "$rc" 2 "invalid_file_is_rejected_by_dry_run_too"

# A YAML syntax error, a wrong type, a missing CSV.
printf 'piles:\n  - address: 1\n    whitelist: {uid: 04A1B2C3}\n  - address: 2\n    whitelist_csv: nowhere.csv\n' >"$tmp/types.yaml"
pc provision "$tmp/types.yaml"
is "$rc" 2 "wrong_types_exit_2"
like "$err" "types.yaml:3:16: 'whitelist' needs a list of cards" "map_for_a_list_is_a_type_error"
like "$err" "types.yaml:5:20: cannot open whitelist CSV '.*nowhere.csv'" "missing_csv_names_the_yaml_line"
printf 'piles:\n  - address: 1\n   clock_sync: true\n' >"$tmp/syntax.yaml"
pc provision "$tmp/syntax.yaml"
is "$rc" 2 "yaml_syntax_error_exits_2"
like "$err" "syntax.yaml:[0-9]+:[0-9]+: " "yaml_syntax_error_has_file_line_column"
pc provision "$tmp/nonexistent.yaml"
is "$rc" 2 "missing_file_exits_2"
like "$err" "cannot open provisioning file '.*nonexistent.yaml'" "missing_file_is_named"
is "$(all_states 4)" "$before" "still_no_pile_touched"

done_testing
