#!/usr/bin/env python3
# security-auth.py - run by security-auth.sh against a pilesim bus: a plain
# Modbus RTU master of its own (framing, CRC-16, HMAC-SHA256 from the
# published map and nothing of pilecon) proves that every write without a
# session is refused with exception 01, that replayed, foreign and expired
# responses do not open a session, and that 100 wrong keys cost the time
# the design says (lockout min(2^(k-1), 3600) s of pile clock after the k-th
# wrong key in a row) while none succeeds.
#
#   security-auth.py BUS KEYS.yaml PILESIM DATA IDLE_MS
import hashlib
import hmac
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
import tty

BUS, KEYS, PILESIM, DATA, IDLE_MS = sys.argv[1:6]
IDLE_MS = int(IDLE_MS)

A_LIVE_LINK = 0x0100
A_CHALLENGE, A_RESPONSE, A_AUTH_STATE = 0x0200, 0x0208, 0x0218
A_LOCKOUT_LEFT, A_FAILURES = 0x021A, 0x021B
A_FORCE, A_RESYNC, A_CLOCK, A_LAST_ERROR = 0x0220, 0x0222, 0x0224, 0x0226
A_SETTINGS, A_TARIFF, A_WL_CMD = 0x0280, 0x0300, 0x0400
EX_FUNCTION, EX_VALUE, EX_BUSY = 1, 3, 6
WERR_NO_SESSION, WERR_BAD_KEY, WERR_LOCKED = 1, 2, 3

n = 0
failed = 0


def tap(good, name, diag=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if good else "not ok", n, name))
    if not good:
        failed += 1
        if diag:
            print("#   " + diag)
    sys.stdout.flush()


def is_(got, want, name):
    tap(got == want, name, "got %r, expected %r" % (got, want))


def crc16(b):
    crc = 0xFFFF
    for c in b:
        crc ^= c
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return struct.pack("<H", crc)


class Bus:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        # 8E1, as the pile: a pty keeps no PARENB, so even parity shows as
        # INPCK, the input parity check (setraw clears it).
        mode = termios.tcgetattr(self.fd)
        mode[0] |= termios.INPCK
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)
        termios.tcflush(self.fd, termios.TCIOFLUSH)

    def transact(self, unit, pdu):
        """One request; returns (function, payload) or (fc|0x80, exception)."""
        frame = bytes([unit]) + pdu
        os.write(self.fd, frame + crc16(frame))
        buf = b""
        deadline = time.monotonic() + 2
        while len(buf) < self.expected(buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no whole reply to %s: %s" % (pdu.hex(), buf.hex()))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                buf += os.read(self.fd, 512)
        if len(buf) < 5 or crc16(buf[:-2]) != buf[-2:] or buf[0] != unit:
            raise RuntimeError("garbled reply %s" % buf.hex())
        return buf[1], buf[2:-2]

    @staticmethod
    def expected(buf):
        """Length of the reply buf starts, from its function code."""
        if len(buf) < 3:
            return 3
        if buf[1] & 0x80:
            return 5
        if buf[1] in (3, 4, 23):
            return 5 + buf[2]
        return 8

    def read(self, unit, addr, count):
        fc, p = self.transact(unit, struct.pack(">BHH", 3, addr, count))
        if fc != 3:
            raise RuntimeError("read %04x: exception %d" % (addr, p[0]))
        return list(struct.unpack(">%dH" % count, p[1:1 + 2 * count]))

    def write(self, unit, addr, regs, fc=16):
        """Returns 0 for a normal reply, else the exception code."""
        if fc == 6:
            pdu = struct.pack(">BHH", 6, addr, regs[0])
        elif fc == 23:
            pdu = struct.pack(">BHHHHB", 23, A_LIVE_LINK, 1, addr, len(regs), 2 * len(regs))
            pdu += struct.pack(">%dH" % len(regs), *regs)
        else:
            pdu = struct.pack(">BHHB", 16, addr, len(regs), 2 * len(regs))
            pdu += struct.pack(">%dH" % len(regs), *regs)
        got, p = self.transact(unit, pdu)
        return p[0] if got & 0x80 else 0


def keys():
    text = open(KEYS).read()
    return {int(s[-4:]): bytes.fromhex(k) for s, k in
            re.findall(r'serial:\s*"([^"]+)"\s*\n\s*key:\s*"([0-9a-fA-F]{64})"', text)}


def ctl(*args):
    r = subprocess.run([PILESIM, "ctl", "--data", DATA] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("pilesim ctl %s: %s" % (" ".join(map(str, args)), r.stderr))
    return r.stdout


def u32(regs, i=0):
    return regs[i] << 16 | regs[i + 1]


def regs_of(b):
    return list(struct.unpack(">%dH" % (len(b) // 2), b))


def response(bus, unit, key, serial=None, addr=None, challenge=None):
    """The HMAC over the pile's present challenge (or the one given)."""
    if challenge is None:
        challenge = bytes(b for r in bus.read(unit, A_CHALLENGE, 8) for b in (r >> 8, r & 0xFF))
    serial = serial or "SIM-%04d" % unit
    msg = challenge + serial.encode().ljust(16, b"\0") + bytes([addr or unit])
    return regs_of(hmac.new(key, msg, hashlib.sha256).digest())


def last_error(bus, unit):
    return bus.read(unit, A_LAST_ERROR, 1)[0]


def lockout_s(k):
    return min(2 ** (k - 1), 3600) if k > 0 else 0


bus = Bus(BUS)
key = keys()
clock = u32(bus.read(1, A_CLOCK, 2))

# ---- every write without a session is refused with exception 01 ----------
before = {
    "control": bus.read(1, A_FORCE, 7)[:3],
    "settings": bus.read(1, A_SETTINGS, 5),
    "tariff": bus.read(1, A_TARIFF, 2),
    "whitelist": bus.read(1, A_WL_CMD + 0x10, 6),
}
writes = [
    ("force_offline_fc16", A_FORCE, [(clock + 3600) >> 16, (clock + 3600) & 0xFFFF], 16),
    ("force_offline_fc23", A_FORCE, [(clock + 3600) >> 16, (clock + 3600) & 0xFFFF], 23),
    ("end_forced_offline_fc16", A_FORCE, [0, 0], 16),
    ("resync_trigger_fc06", A_RESYNC, [1], 6),
    ("clock_set_fc16", A_CLOCK, [(clock + 86400) >> 16, (clock + 86400) & 0xFFFF], 16),
    ("settings_offline_charging_fc06", A_SETTINGS, [0], 6),
    ("settings_unknown_card_fc06", A_SETTINGS + 1, [1], 6),
    ("settings_block_fc16", A_SETTINGS, [0, 1, 1, 0, 5000], 16),
    ("tariff_version_fc16", A_TARIFF, [0, 99], 16),
    ("whitelist_add_fc16", A_WL_CMD, [1, 0, 0, 1], 16),
    ("whitelist_remove_fc16", A_WL_CMD, [2, 0, 0, 1], 16),
    ("whitelist_clear_fc06", A_WL_CMD, [3], 6),
    ("whitelist_set_version_fc16", A_WL_CMD, [4, 0, 77, 0], 16),
]
for name, addr, regs, fc in writes:
    ex = bus.write(1, addr, regs, fc)
    is_(ex, EX_FUNCTION, "%s_without_session_gets_exception_01" % name)
    is_(last_error(bus, 1), WERR_NO_SESSION, "%s_sets_last_error_no_session" % name)
after = {
    "control": bus.read(1, A_FORCE, 7)[:3],
    "settings": bus.read(1, A_SETTINGS, 5),
    "tariff": bus.read(1, A_TARIFF, 2),
    "whitelist": bus.read(1, A_WL_CMD + 0x10, 6),
}
is_(after, before, "refused_writes_changed_nothing")
is_(u32(bus.read(1, A_CLOCK, 2)), clock, "refused_clock_write_left_the_clock")

# ---- a good response opens a session; it works once --------------------------
resp = response(bus, 1, key[1])
is_(bus.write(1, A_RESPONSE, resp), 0, "right_response_opens_a_session")
is_(bus.read(1, A_AUTH_STATE, 1)[0], 1, "auth_state_is_1")
is_(bus.write(1, A_SETTINGS + 2, [0], 6), 0, "write_in_the_session_is_accepted")
is_(bus.write(1, A_RESPONSE, resp), EX_VALUE, "replayed_response_is_refused")
is_(last_error(bus, 1), WERR_BAD_KEY, "replayed_response_reads_as_a_wrong_key")
is_(bus.read(1, A_AUTH_STATE, 1)[0], 0, "replay_closed_the_session")
is_(bus.write(1, A_SETTINGS + 2, [0], 6), EX_FUNCTION, "no_write_after_the_replay")
ctl("advance", bus.read(1, A_LOCKOUT_LEFT, 1)[0])

# ---- a response made for another pile --------------------------------------
# Pile 1's key over pile 2's challenge, bound to pile 1's serial and address.
ch2 = bytes(b for r in bus.read(2, A_CHALLENGE, 8) for b in (r >> 8, r & 0xFF))
is_(bus.write(2, A_RESPONSE, response(bus, 2, key[1], "SIM-0001", 1, ch2)), EX_VALUE,
    "response_for_pile_1_is_refused_by_pile_2")
ctl("advance", bus.read(2, A_LOCKOUT_LEFT, 1)[0])
# Pile 2's key over pile 2's challenge but for address 1 (a relayed answer).
is_(bus.write(2, A_RESPONSE, response(bus, 2, key[2], "SIM-0002", 1)), EX_VALUE,
    "response_bound_to_another_address_is_refused")
ctl("advance", bus.read(2, A_LOCKOUT_LEFT, 1)[0])
# Pile 1's response (its key, its challenge) replayed to pile 2.
r1 = response(bus, 1, key[1])
is_(bus.write(2, A_RESPONSE, r1), EX_VALUE, "pile_1_response_sent_to_pile_2_is_refused")
is_(bus.read(2, A_AUTH_STATE, 1)[0], 0, "pile_2_has_no_session")
ctl("advance", bus.read(2, A_LOCKOUT_LEFT, 1)[0])
is_(bus.write(2, A_RESPONSE, response(bus, 2, key[2])), 0, "pile_2_opens_with_its_own_key")

# ---- an expired session ------------------------------------------------------
is_(bus.write(1, A_RESPONSE, response(bus, 1, key[1])), 0, "session_opens_again")
time.sleep(IDLE_MS * 0.6 / 1000)
is_(bus.write(1, A_SETTINGS + 2, [0], 6), 0, "write_before_the_idle_time_is_accepted")
time.sleep(IDLE_MS * 0.6 / 1000)
is_(bus.write(1, A_SETTINGS + 2, [0], 6), 0, "each_write_keeps_the_session_open")
time.sleep(IDLE_MS * 1.3 / 1000)
is_(bus.write(1, A_SETTINGS + 2, [0], 6), EX_FUNCTION, "write_after_the_idle_time_is_refused")
is_(last_error(bus, 1), WERR_NO_SESSION, "expired_session_reads_as_no_session")
is_(bus.read(1, A_AUTH_STATE, 1)[0], 0, "expired_session_is_closed")

# ---- 100 wrong keys ----------------------------------------------------------
wrong = bytes(32)
waited = 0
lockouts = []
refused_without_check = True
none_succeeded = True
growth_ok = True
for k in range(1, 101):
    left = bus.read(1, A_LOCKOUT_LEFT, 1)[0]
    if left > 0:
        # During a lockout even the right key is refused, and the attempt
        # neither counts nor extends the lockout: the key is not looked at.
        f0 = bus.read(1, A_FAILURES, 1)[0]
        ex_right = bus.write(1, A_RESPONSE, response(bus, 1, key[1]))
        ex_wrong = bus.write(1, A_RESPONSE, response(bus, 1, wrong))
        if (ex_right, ex_wrong) != (EX_BUSY, EX_BUSY) or \
                last_error(bus, 1) != WERR_LOCKED or \
                bus.read(1, A_FAILURES, 1)[0] != f0 or \
                bus.read(1, A_LOCKOUT_LEFT, 1)[0] != left:
            refused_without_check = False
        ctl("advance", left)
        waited += left
    ex = bus.write(1, A_RESPONSE, response(bus, 1, wrong))
    if ex != EX_VALUE or bus.read(1, A_AUTH_STATE, 1)[0] != 0:
        none_succeeded = False
    got = bus.read(1, A_LOCKOUT_LEFT, 2)
    lockouts.append(got[0])
    if got[0] != lockout_s(k) or got[1] != k:
        growth_ok = False
tap(none_succeeded, "none_of_100_wrong_keys_opens_a_session")
tap(growth_ok, "lockout_after_the_kth_wrong_key_is_min_2_pow_k_minus_1_and_3600_s",
    "lockouts %s" % lockouts[:16])
tap(refused_without_check, "tries_during_a_lockout_are_refused_without_checking_the_key")
design = sum(lockout_s(k) for k in range(1, 100))
is_(waited, design, "100_wrong_tries_take_%d_s_of_pile_clock" % design)
is_(design, 317295, "design_figure_is_4095_s_then_87_hours")
left = bus.read(1, A_LOCKOUT_LEFT, 1)[0]
is_(left, 3600, "after_the_100th_the_pile_waits_an_hour")
is_(bus.write(1, A_RESPONSE, response(bus, 1, key[1])), EX_BUSY,
    "right_key_waits_out_the_last_lockout")
ctl("advance", left)
is_(bus.write(1, A_RESPONSE, response(bus, 1, key[1])), 0, "right_key_opens_after_it")
is_(bus.read(1, A_FAILURES, 1)[0], 0, "a_good_key_resets_the_count")
print("1..%d" % n)
sys.exit(1 if failed else 0)
