#!/bin/sh
# A pile whose record numbering restarts (a replaced controller, a reset
# store, the same serial) is never reported up to date: pilesim's `store
# reset` empties the store and draws a new live.store_id (protocol 1.1, cap
# STORE); the next `logs pull` says what happened in plain words and fails,
# and the archive keeps what it held.
. "$top_srcdir/tests/e2e-lib.sh"
start_sim --piles 1 --frozen-clock

charge() {
	ctl swipe 1 04A1B2C3 >/dev/null
	ctl plug 1 >/dev/null
	ctl advance 600 >/dev/null
	ctl unplug 1 >/dev/null
}
store_id() {	# live.store_id of pile 1, read as any Modbus master would
	python3 - "$tmp/sim/bus" <<'PY'
import os, struct, sys, termios, time, tty
def crc(b):
    c = 0xFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
    return struct.pack("<H", c)
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
# 8E1 as the pile: a pty keeps no PARENB, so even parity shows
# as INPCK (which setraw clears); pilesim garbles an 8N1 master.
_m = termios.tcgetattr(fd); _m[0] |= termios.INPCK
termios.tcsetattr(fd, termios.TCSANOW, _m)
f = struct.pack(">BBHH", 1, 3, 0x0158, 2)
os.write(fd, f + crc(f))
buf, end = b"", time.monotonic() + 3
while len(buf) < 9 and time.monotonic() < end:
    buf += os.read(fd, 64)
print(struct.unpack(">I", buf[3:7])[0] if len(buf) >= 9 and buf[1] == 3 else "none")
PY
}
command -v python3 >/dev/null 2>&1 || tap_skip_all "python3 is not installed"
ctl whitelist 1 add 04A1B2C3 >/dev/null
ctl link 1 down >/dev/null
charge; charge; charge
ok "first_pull" pc logs pull
is "$(pc logs list --json | grep -c "\"seq\"")" 3 "archive_holds_the_first_series"
id1=$(store_id)
[ "$id1" != none ] && [ "$id1" != 0 ]
tap $? "live_store_id_is_nonzero"

like "$(ctl store reset 1)" 'numbering starts at 1 again' "store_reset_over_the_control_channel"
id2=$(store_id)
[ "$id2" != none ] && [ "$id2" != 0 ] && [ "$id2" != "$id1" ]
tap $? "a_reset_store_has_a_new_store_id"
charge
is "$(pc --json status | jget last_seq)" 1 "the_pile_numbers_from_1_again"

pc logs pull >"$tmp/out" 2>&1
rc=$?
is "$rc" 1 "pull_of_a_renumbered_pile_fails"
grep -q 'up to date' "$tmp/out"
tap $((!$?)) "a_renumbered_pile_is_not_reported_up_to_date"
like "$(cat "$tmp/out")" 'restarted its record numbering: it holds seq 1\.\.1, but the archive already holds seq up to 3' \
    "pull_says_what_happened"
is "$(pc logs list --json | grep -c "\"seq\"")" 3 "the_archive_kept_the_first_series"
is "$(pc --json status | jget unsynced)" 1 "the_new_record_stays_unsynced_on_the_pile"
done_testing
