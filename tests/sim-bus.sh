#!/bin/sh
# sim-bus.sh - pilesim's shell: the bus on a pseudo-terminal, Modbus RTU
# slave framing, the control socket and `pilesim ctl`, clean exit, restart.
. "${top_srcdir:?}/tests/sim-lib.sh"

data=$tmp/sim
start_sim "$data" --piles 3 || { echo "Bail out! pilesim did not start"; exit 1; }

like "$(head -n 1 "$tmp/pilesim.log")" \
	"^pilesim: 3 piles on $data/bus \\(/dev/pts/[0-9]+\\), 115200 baud 8E1\$" \
	startup_line_names_link_pty_and_baud
like "$(sed -n 2p "$tmp/pilesim.log")" \
	"^pilesim: control socket $data/ctl.sock, keys in $data/keys.yaml\$" \
	startup_line_names_control_socket_and_keys
like "$(readlink "$data/bus")" '^/dev/pts/[0-9]+$' bus_link_points_at_the_pty
is "$(stat -c %a "$data/ctl.sock" 2>&1)" 600 control_socket_is_private
is "$(stat -c %a "$data/keys.yaml" 2>&1)" 600 keys_file_is_private

for a in 1 2 3; do
	out=$(client "$data/bus" identity $a)
	like "$out" "^serial SIM-000$a vendor pilecon model pilesim-ac22 firmware sim-1.0 device_id PILE-SIM-000$a\$" \
		identity_of_address_${a}_is_read_over_the_pty
done

out=$(client -t 300 "$data/bus" identity 9)
is "$out" timeout address_without_a_pile_gets_no_reply

out=$(client -t 300 "$data/bus" raw "00 06 02 00 00 01" +crc)
is "$out" timeout broadcast_gets_no_reply

out=$(client "$data/bus" raw "01 2b 0e 01 00" +crc)
is "$out" "reply 01 ab 01 9e f0" unknown_function_code_gets_exception_01

out=$(client -t 300 "$data/bus" raw "09 2b 0e 01 00" +crc)
is "$out" timeout unknown_function_code_for_another_address_gets_no_reply

out=$(client -t 300 "$data/bus" raw "01 03 00 00 00 01 00 00")
is "$out" timeout frame_with_bad_crc_gets_no_reply
out=$(client "$data/bus" identity 2)
like "$out" '^serial SIM-0002 ' good_request_after_a_garbled_one_is_answered

out=$(client -t 300 "$data/bus" raw "01 03 00")
is "$out" timeout partial_frame_gets_no_reply
out=$(client "$data/bus" identity 1)
like "$out" '^serial SIM-0001 ' request_after_a_partial_frame_is_answered

out=$(client "$data/bus" read 1 0x7000 1)
is "$out" "exception 2" read_of_unmapped_register_gets_exception_02

out=$(ctl "$data" line show)
like "$out" 'crc_errors 1' bad_crc_is_counted
like "$out" 'partial    1' partial_frame_is_counted
like "$out" 'bad_function 2' unknown_function_codes_are_counted

# The control socket: one command per connection, status passed through.
c0=$(client "$data/bus" read 1 0x013C 2 | awk '{ print $2 * 65536 + $3 }')
ctl "$data" advance 3600 >/dev/null 2>"$tmp/err"
st=$?
c1=$(client "$data/bus" read 1 0x013C 2 | awk '{ print $2 * 65536 + $3 }')
is "$st" 0 ctl_advance_succeeds
d=$((c1 - c0))
[ "$d" -ge 3600 ] && [ "$d" -lt 3660 ]
tap $? "ctl_advance_moves_the_pile_clock_read_over_the_wire"
[ "$d" -ge 3600 ] && [ "$d" -lt 3660 ] || echo "#   clock moved by $d s"

out=$(ctl "$data" clock 1)
st=$?
c2=$(client "$data/bus" read 1 0x013C 2 | awk '{ print $2 * 65536 + $3 }')
is "$st" 0 ctl_clock_succeeds
c3=${out%% *}
[ -n "$c3" ] && [ "$c3" -le "$c2" ] 2>/dev/null && [ $((c2 - c3)) -lt 30 ]
tap $? ctl_clock_prints_the_clock_the_pile_serves_on_the_wire
[ -n "$c3" ] && [ "$c3" -le "$c2" ] 2>/dev/null && [ $((c2 - c3)) -lt 30 ] ||
	echo "#   ctl said '$out', the wire $c2"

ctl "$data" no-such-command >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" -ne 0 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/err" ]
tap $? ctl_failed_command_exits_nonzero_with_message_on_stderr

out=$(ctl "$data" line bogus 2>&1)
st=$?
is "$st" 2 ctl_line_usage_error_exits_2

out=$(ctl "$tmp/nowhere" line show 2>&1)
st=$?
is "$out" "no pilesim running with data folder '$tmp/nowhere' (cannot connect to '$tmp/nowhere/ctl.sock')" \
	ctl_without_pilesim_names_folder_and_socket
is "$st" 1 ctl_without_pilesim_exits_1

out=$(timeout 20 "$PILESIM" --data "$data" --link "$tmp/bus2" 2>&1)
st=$?
like "$out" "another pilesim is running with data folder" second_pilesim_on_same_folder_is_refused
is "$st" 1 second_pilesim_exits_1
[ -L "$data/bus" ] && [ -S "$data/ctl.sock" ]
tap $? refused_second_pilesim_leaves_the_first_one_s_files

# A control client that connects and sends nothing must not stall the bus.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.send(b"PSC1")
time.sleep(3)
' "$data/ctl.sock" &
slow=$!
sleep 0.3
out=$(client -t 1000 "$data/bus" identity 3)
like "$out" '^serial SIM-0003 ' bus_answers_while_a_control_client_stalls
out=$(ctl "$data" line show)
like "$out" '^ber ' ctl_answers_while_another_control_client_stalls
kill $slow 2>/dev/null
wait $slow 2>/dev/null

ctl "$data" link 1 down >/dev/null 2>"$tmp/err"
is "$(client "$data/bus" read 1 0x0100 1)" "regs 1" link_down_shows_offline_on_the_wire

stop_sim TERM
is "$sim_status" 0 sigterm_exits_0
[ ! -e "$data/bus" ] && [ ! -L "$data/bus" ]
tap $? sigterm_removes_the_bus_link
[ ! -e "$data/ctl.sock" ]
tap $? sigterm_removes_the_control_socket

start_sim "$data" --piles 3 || true
is "$(client "$data/bus" read 1 0x0100 1)" "regs 1" link_down_survives_a_restart
is "$(client "$data/bus" read 2 0x0100 1)" "regs 0" other_piles_stay_online_after_restart

# After SIGKILL the link and socket are stale; the next start replaces both.
stop_sim KILL
[ -L "$data/bus" ] && [ -S "$data/ctl.sock" ]
tap $? sigkill_leaves_stale_link_and_socket
start_sim "$data" --piles 3
tap $? restart_after_sigkill_replaces_stale_link_and_socket
out=$(client "$data/bus" identity 1)
like "$out" '^serial SIM-0001 ' bus_answers_after_restart_over_stale_files

# A file that is not a symlink is never overwritten.
stop_sim TERM
: >"$tmp/plain"
out=$(timeout 20 "$PILESIM" --data "$data" --link "$tmp/plain" 2>&1)
st=$?
like "$out" "cannot link the bus at '$tmp/plain'" link_over_a_plain_file_is_refused
[ -f "$tmp/plain" ] && [ ! -S "$data/ctl.sock" ]
tap $? refused_start_keeps_the_file_and_removes_its_socket

# --device serves any terminal: here the slave of a pty pair whose master
# plays the RS-485 adapter.
out=$(timeout 30 python3 - "$PILESIM" "$tmp/dev" <<'PY'
import os, pty, select, subprocess, sys, time
def crc(b):
    c = 0xFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
    return bytes([c & 0xFF, c >> 8])
master, slave = pty.openpty()
name = os.ttyname(slave)
p = subprocess.Popen([sys.argv[1], "--data", sys.argv[2], "--device", name,
    "--baud", "19200"], stdout=subprocess.PIPE, text=True)
first = p.stdout.readline().strip()
p.stdout.readline()
req = bytes([1, 3, 0, 0x12, 0, 8])
os.write(master, req + crc(req))
buf, end = b"", time.time() + 5
while len(buf) < 21 and time.time() < end:
    if select.select([master], [], [], 0.2)[0]:
        buf += os.read(master, 256)
p.terminate()
rc = p.wait(10)
ok = len(buf) == 21 and buf[:3] == bytes([1, 3, 16]) and crc(buf[:19]) == buf[19:]
print(first.replace(name, "DEV"))
print(buf[3:19].rstrip(b"\0").decode() if ok else "bad reply " + buf.hex())
print("exit", rc)
PY
)
like "$out" '^pilesim: 1 piles on DEV, 19200 baud' device_mode_prints_the_device_and_baud
like "$out" 'SIM-0001' device_mode_answers_on_the_terminal_device
like "$out" 'exit 0$' device_mode_exits_0_on_sigterm

out=$(timeout 20 "$PILESIM" --data "$tmp/dev" --device "$tmp/plain" 2>&1)
st=$?
like "$out" "cannot use '$tmp/plain': not a serial device" device_that_is_not_a_terminal_is_refused
is "$st" 1 device_that_is_not_a_terminal_exits_1

out=$(timeout 20 "$PILESIM" --data "$data" --piles 248 2>&1)
st=$?
like "$out" "invalid value '248' for --piles" more_than_247_piles_is_refused
is "$st" 2 bad_option_exits_2

done_testing
