#!/bin/sh
# exit-codes-follow-one-rule.sh - the README's table everywhere: 2 is bad
# usage or input (a TCP port out of range, a missing or malformed keys
# file), 4 only when the pile itself refused; the message never contradicts
# the code, and nothing is written to the pile before a refusal; a scan
# over several baud rates counts each pile once; an -o path pilecon will
# not write (a folder, a socket) is bad input too, refused before the pile
# or the archive is read, leaving nothing behind.
. "$top_srcdir/tests/batch-lib.sh"

for port in 99999 0 65536 40x1; do
	run -p "tcp:127.0.0.1:$port" status
	is "$rc" 2 "tcp_port_${port}_is_bad_input"
	like "$err" "port '$port' is not a TCP port number \(1 to 65535\)" \
	    "tcp_port_${port}_named"
done

start_sim --piles 1
run -p "$tmp/sim/bus" --keys "$tmp/no-such-keys.yaml" offline on --for 10m
is "$rc" 2 "missing_keys_file_exits_2"
like "$err" "cannot open keys file .*no-such-keys.yaml.*nothing was written" \
    "missing_keys_file_named"
unlike "$err" "refused" "missing_keys_file_is_not_called_a_refusal"
printf 'keys: [\n' >"$tmp/bad-keys.yaml"
chmod 600 "$tmp/bad-keys.yaml"
run -p "$tmp/sim/bus" --keys "$tmp/bad-keys.yaml" whitelist add 04A1B2C3
is "$rc" 2 "malformed_keys_file_exits_2"
like "$err" "bad-keys.yaml:2:1: " "malformed_keys_file_at_its_position"
pc status --json
like "$out" '"link":"online"' "nothing_was_written_before_the_refusal"

# A pseudo-terminal ignores the baud rate: the pile answers at each one,
# and is still one pile.
pc scan --to 2 --bauds 9600,19200,115200
is "$rc" 0 "scan_over_three_bauds_exits_0"
like "$err" "^1 pile answered" "scan_over_three_bauds_counts_the_pile_once"
is "$(printf '%s\n' "$out" | grep -c SIM-0001)" 1 "scan_lists_the_pile_once"

# -o refusals (outfile.c): bad input, 2, not "failed", 1.
mkdir "$tmp/outdir"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$tmp/out.sock"
for what in folder socket; do
	case $what in folder) path=$tmp/outdir ;; socket) path=$tmp/out.sock ;; esac
	pc logs export --format csv -o "$path"
	is "$rc" 2 "logs_export_to_a_${what}_exits_2"
	like "$err" "cannot write '$path': it is (a folder|neither a regular file)" \
	    "logs_export_to_a_${what}_says_why"
	pc whitelist export -o "$path"
	is "$rc" 2 "whitelist_export_to_a_${what}_exits_2"
done
is "$(ls -A "$tmp/outdir" | wc -l)" 0 "a_refused_export_leaves_nothing_behind"

done_testing
