#!/bin/sh
# pilecon writes to every pile as the pile wants it: plainly inside the
# session on a 1.0 pile (pilesim --protocol 1.0; tests/unit-pile-api does
# the same against the fake 1.0 slave), through session.envelope on a 1.1
# pile, where a whitelist command of 4 entries (120 registers) goes in two
# envelopes, the one holding whitelist.cmd last. The frames are pilesim's
# --frames log.
. "$top_srcdir/tests/e2e-lib.sh"

# ---- a 1.0 pile -----------------------------------------------------------
start_sim --piles 1 --frozen-clock --protocol 1.0 --frames "$tmp/frames10"
is "$(pc --json status | jget link)" online "pilecon_reads_a_1_0_pile"
ok "pilecon_writes_to_a_1_0_pile" pc offline on --for 1h
is "$(pc --json status | jget link)" forced_offline "the_1_0_pile_took_the_write"
grep -q '^01100220' "$tmp/frames10"
tap $? "the_write_to_a_1_0_pile_is_a_plain_fc16"
grep -q '^0110080' "$tmp/frames10"
tap $((!$?)) "no_envelope_is_sent_to_a_1_0_pile"
grep -q '^0110023' "$tmp/frames10"
tap $((!$?)) "no_session_close_is_sent_to_a_1_0_pile"
ok "whitelist_import_on_a_1_0_pile" pc whitelist import "$top_srcdir/tests/data/wl-good.csv"
n10=$(pc --json whitelist list | jget entries.length)
sim_stop

# ---- a 1.1 pile -----------------------------------------------------------
rm -rf "$tmp/sim"
start_sim --piles 1 --frozen-clock --frames "$tmp/frames11"
ok "pilecon_writes_to_a_1_1_pile" pc offline on --for 1h
grep -q '^01100220' "$tmp/frames11"
tap $((!$?)) "no_plain_write_to_a_1_1_pile"
grep -q '^011008000' "$tmp/frames11"
tap $? "the_write_to_a_1_1_pile_is_an_envelope"
ok "whitelist_import_on_a_1_1_pile" pc whitelist import "$top_srcdir/tests/data/wl-good.csv"
is "$(pc --json whitelist list | jget entries.length)" "$n10" "both_piles_hold_the_same_list"
# A 4-entry command (120 registers): the tail from 0x046F (9 registers)
# first, then 0x0400 (cmd, version, count and 107 of the entries).
python3 - "$tmp/frames11" >"$tmp/targets" <<'PY'
import sys
out = []
for line in open(sys.argv[1]):
    f = bytes.fromhex(line.strip())
    if len(f) > 11 and f[1] == 16 and f[2:4] == b"\x08\x00":
        out.append("%04x:%d" % (int.from_bytes(f[7:9], "big"), int.from_bytes(f[9:11], "big")))
print(" ".join(out))
PY
like "$(cat "$tmp/targets")" '046f:9 0400:111' "a_120_register_command_goes_tail_first_in_two_envelopes"
grep -q '^01100800......0232' "$tmp/frames11"
tap $? "pilecon_sends_session_close_when_it_exits"

# ---- status shows the write session and any lockout ----------------------
st=$(pc --json status)
is "$(echo "$st" | jget write_session.open)" false "status_shows_no_session_after_pilecon_closed_it"
is "$(echo "$st" | jget lockout.failures)" 0 "status_shows_no_wrong_keys"
# Another master (python, with the key) opens a session and writes once.
python3 - "$tmp/sim/bus" "$tmp/sim/keys.yaml" <<'PY'
import hashlib, hmac, os, re, struct, sys, termios, time, tty
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
def tx(pdu, n):
    f = b"\x01" + pdu
    os.write(fd, f + crc(f))
    buf, end = b"", time.monotonic() + 3
    while len(buf) < n and time.monotonic() < end:
        buf += os.read(fd, 512)
    return buf
key = bytes.fromhex(re.search(r'key: "([0-9a-f]{64})"', open(sys.argv[2]).read()).group(1))
ch = tx(struct.pack(">BHH", 3, 0x0200, 8), 21)[3:19]
serial = b"SIM-0001".ljust(16, b"\0")
mac = hmac.new(key, ch + serial + b"\x01", hashlib.sha256).digest()
tx(struct.pack(">BHHB", 16, 0x0208, 16, 32) + mac, 8)
ks = hmac.new(key, b"pilecon-session" + ch + serial + b"\x01", hashlib.sha256).digest()
m = hmac.new(ks, serial + b"\x01" + struct.pack(">HHIH", 0x0282, 1, 1, 0), hashlib.sha256).digest()[:16]
env = struct.pack(">HHIH", 0x0282, 1, 1, 0) + m
tx(struct.pack(">BHHB", 16, 0x0800, len(env) // 2, len(env)) + env, 8)
PY
st=$(pc --json status)
is "$(echo "$st" | jget write_session.open)" true "status_shows_another_masters_open_session"
is "$(echo "$st" | jget write_session.counter)" 1 "status_shows_its_counter"
like "$(pc status)" 'write session +open, closes in [0-9]+ s without a write; counter 1' \
    "status_text_names_the_session_and_its_counter"
sed 's/key: "[0-9a-f]*"/key: "'"$(printf '%064d' 0)"'"/' "$tmp/sim/keys.yaml" >"$tmp/wrong.yaml"
chmod 600 "$tmp/wrong.yaml"
timeout 60 "$PILECON" -p "$tmp/sim/bus" --keys "$tmp/wrong.yaml" --archive "$tmp/archive.db" \
    offline off >/dev/null 2>&1
st=$(pc --json status)
is "$(echo "$st" | jget lockout.failures)" 1 "status_counts_the_wrong_key"
like "$(pc status)" 'lockout +1 wrong keys in a row; the next key is taken in [0-9]+ s' \
    "status_text_names_the_lockout"
done_testing
