#!/bin/sh
# line-serial.sh - serial settings: pilecon and pilesim default to Modbus's
# 8E1; -s 8N1, --parity and --stop-bits, the config file and the
# provisioning file set them; a master whose baud rate or framing differs
# from the pile's gets garbled bytes from pilesim, as on a real line, and
# pilecon's message names the settings it used and the framing.
. "$top_srcdir/tests/batch-lib.sh"

start_sim --piles 2
like "$(head -n 1 "$tmp/pilesim.log")" ', 115200 baud 8E1$' pilesim_defaults_to_8E1

pc status --json
is "$rc" 0 "pilecon_default_8E1_reads_a_8E1_pile"
ctl line show >"$tmp/show"
like "$(grep '^master' "$tmp/show")" '^master +115200 8E1$' pilesim_reads_back_the_master_s_8E1

reqs() { ctl line show | awk '$1 == "requests" { print $2 }'; }
before=$(reqs)
pc -s 8N1 --timeout 200 --retries 1 status
is "$rc" 3 "8N1_master_on_a_8E1_pile_gets_no_answer"
like "$err" "at 115200 8N1 after 2 tries" "message_names_baud_and_framing_used"
like "$err" "framing \\(Modbus default 8E1; 'pilecon scan --detect' finds them\\)" \
	"message_says_framing_and_how_to_find_it"
ctl line show >"$tmp/show"
like "$(grep '^master' "$tmp/show")" '^master +115200 8N1 \(differs' pilesim_sees_the_8N1_master
is "$(reqs)" "$before" garbled_requests_never_reach_a_pile
like "$(grep '^mismatched' "$tmp/show")" '^mismatched +[1-9]' pilesim_counts_the_garbled_reads

pc --parity none --stop-bits 2 --timeout 200 --retries 0 status
is "$rc" 3 "8N2_master_on_a_8E1_pile_gets_no_answer"
pc --parity odd --timeout 200 --retries 0 status
is "$rc" 3 "8O1_master_on_a_8E1_pile_gets_no_answer"
pc -b 19200 --timeout 200 --retries 0 status
is "$rc" 3 "19200_baud_master_on_a_115200_pile_gets_no_answer"
like "$err" "at 19200 8E1 after 1 try" "message_names_the_wrong_baud"
pc -s 8e1 status
is "$rc" 0 "lowercase_framing_is_accepted"

pc -s 9E1 status
is "$rc" 2 "bad_framing_is_a_usage_error"
like "$err" "bad value '9E1' for --framing" "bad_framing_is_named"
pc --parity mark status
is "$rc" 2 "bad_parity_is_a_usage_error"
like "$err" "bad value 'mark' for --parity: expected none, even or odd" "bad_parity_is_named"
pc --stop-bits 3 status
is "$rc" 2 "three_stop_bits_are_refused"
sim_stop

# A pile at 8N1 (common in the field): 8N1 in the config reaches it, the
# command line overrides the config.
start_sim --piles 1 --framing 8N1
like "$(head -n 1 "$tmp/pilesim.log")" ', 115200 baud 8N1$' pilesim_takes_framing
mkdir -p "$XDG_CONFIG_HOME/pilecon"
printf 'framing: 8N1\n' >"$XDG_CONFIG_HOME/pilecon/config.yaml"
pc status --json
is "$rc" 0 "framing_from_the_config_reaches_a_8N1_pile"
printf 'parity: none\nstop_bits: 1\n' >"$XDG_CONFIG_HOME/pilecon/config.yaml"
pc status --json
is "$rc" 0 "parity_and_stop_bits_from_the_config"
pc -s 8E1 --timeout 200 --retries 0 status
is "$rc" 3 "command_line_framing_overrides_the_config"
printf 'parity: sometimes\n' >"$XDG_CONFIG_HOME/pilecon/config.yaml"
pc status
is "$rc" 2 "bad_parity_in_the_config_is_refused"
like "$err" "config.yaml:1:9: bad value 'sometimes' for --parity" "bad_parity_names_file_line_column"
rm -f "$XDG_CONFIG_HOME/pilecon/config.yaml"

# The provisioning file's bus takes the framing too.
cat >"$tmp/prov.yaml" <<YAML
defaults:
  bus: {port: $tmp/sim/bus, framing: 8N1}
piles:
  - address: 1
    clock_sync: false
YAML
run --keys "$tmp/sim/keys.yaml" --archive "$tmp/archive.db" provision "$tmp/prov.yaml" --dry-run
is "$rc" 0 "provisioning_bus_framing_reaches_a_8N1_pile"
sed 's/framing: 8N1/framing: 8X1/' "$tmp/prov.yaml" >"$tmp/bad.yaml"
run --keys "$tmp/sim/keys.yaml" provision "$tmp/bad.yaml" --dry-run
is "$rc" 2 "bad_provisioning_framing_is_refused"
like "$err" "bad.yaml:2:.*bad framing '8X1'" "bad_provisioning_framing_names_file_line"
sim_stop

done_testing
