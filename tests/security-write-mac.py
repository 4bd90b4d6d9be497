#!/usr/bin/env python3
# security-write-mac.py - run by security-write-mac.sh while the technician's
# console (pilecon) is stopped with its write session open on pile 1: a
# second Modbus master of its own (framing, CRC-16, HMAC-SHA256 from the
# published map, nothing of pilecon) tries to ride on that session.
#
#   security-write-mac.py BUS KEYS.yaml FRAMES PHASE FIRST COUNTFILE
#
# TAP lines are numbered from FIRST; COUNTFILE gets the last number and the
# failures, for the wrapper's plan.
#
# PHASE "open": pilecon's session is open. Plain writes and an envelope with
# a wrong MAC are refused and change nothing; pilecon's own envelope frame,
# captured by pilesim --frames, replays as REPLAY; a master holding the key
# opens its own session and its envelopes work once each.
# PHASE "closed": after pilecon quit, its session is closed and its captured
# frame opens nothing.
import hashlib
import hmac
import os
import re
import select
import struct
import sys
import termios
import time
import tty

BUS, KEYS, FRAMES, PHASE, FIRST, COUNTFILE = sys.argv[1:7]

A_CHALLENGE, A_RESPONSE, A_AUTH_STATE = 0x0200, 0x0208, 0x0218
A_FORCE, A_LAST_ERROR = 0x0220, 0x0226
A_COUNTER, A_CLOSE = 0x0230, 0x0232
A_SETTINGS, A_ENVELOPE = 0x0280, 0x0800
EX_FUNCTION = 1
WERR_NO_SESSION, WERR_NEEDS_MAC, WERR_BAD_MAC, WERR_REPLAY = 1, 7, 8, 9

n = int(FIRST) - 1
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
        # 8E1 as the pile: a pty keeps no PARENB, so even parity shows
        # as INPCK (which setraw clears); pilesim garbles an 8N1 master.
        _m = termios.tcgetattr(self.fd); _m[0] |= termios.INPCK
        termios.tcsetattr(self.fd, termios.TCSANOW, _m)
        # Whatever the stopped console left on the line is not ours.
        time.sleep(0.3)
        termios.tcflush(self.fd, termios.TCIOFLUSH)

    def send_raw(self, frame):
        """A whole frame with its CRC, as captured; returns (fc, payload)."""
        os.write(self.fd, frame)
        return self.reply(frame[0], frame.hex())

    def transact(self, unit, pdu):
        frame = bytes([unit]) + pdu
        return self.send_raw(frame + crc16(frame))

    def reply(self, unit, what):
        buf = b""
        deadline = time.monotonic() + 3
        while len(buf) < self.expected(buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no whole reply to %s: %s" % (what, buf.hex()))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                buf += os.read(self.fd, 512)
        if len(buf) < 5 or crc16(buf[:-2]) != buf[-2:] or buf[0] != unit:
            raise RuntimeError("garbled reply %s" % buf.hex())
        return buf[1], buf[2:-2]

    @staticmethod
    def expected(buf):
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
        else:
            pdu = struct.pack(">BHHB", 16, addr, len(regs), 2 * len(regs))
            pdu += struct.pack(">%dH" % len(regs), *regs)
        got, p = self.transact(unit, pdu)
        return p[0] if got & 0x80 else 0


def regs_of(b):
    return list(struct.unpack(">%dH" % (len(b) // 2), b))


def bytes_of(regs):
    return b"".join(struct.pack(">H", r) for r in regs)


def key_of(unit):
    text = open(KEYS).read()
    keys = {int(s[-4:]): bytes.fromhex(k) for s, k in
            re.findall(r'serial:\s*"([^"]+)"\s*\n\s*key:\s*"([0-9a-fA-F]{64})"', text)}
    return keys[unit]


SERIAL = b"SIM-0001".ljust(16, b"\0")


def envelope(ks, target, values, counter):
    """session.envelope as regmap.h lays it out, MAC computed here."""
    msg = SERIAL + bytes([1]) + struct.pack(">HHI", target, len(values), counter) \
        + bytes_of(values)
    mac = hmac.new(ks, msg, hashlib.sha256).digest()[:16]
    return [target, len(values), counter >> 16, counter & 0xFFFF] + values + regs_of(mac)


def last_error(bus):
    return bus.read(1, A_LAST_ERROR, 1)[0]


def pilecon_envelope_frames():
    """The FC 16 frames to session.envelope of pile 1 that pilecon sent."""
    out = []
    for line in open(FRAMES):
        f = bytes.fromhex(line.strip())
        if len(f) > 7 and f[0] == 1 and f[1] == 16 and f[2:4] == b"\x08\x00":
            out.append(f)
    return out


bus = Bus(BUS)
frames = pilecon_envelope_frames()
# pilecon's force-offline write: the first envelope whose target is 0x0220
# (later ones in the log are this script's).
forced = [f for f in frames if f[7:9] == b"\x02\x20"]
frame = forced[0] if forced else b"\x01\x10\x08\x00"

if PHASE == "open":
    tap(len(frames) >= 1, "pilesim_logged_pilecons_envelope_frames",
        "no FC 16 to 0x0800 in %s" % FRAMES)
    tap(len(forced) == 1, "pilecons_force_offline_went_in_one_envelope")
    plain = [ln for ln in open(FRAMES) if ln.startswith("01100220") or ln.startswith("01060220")]
    is_(len(plain), 0, "pilecon_never_wrote_force_offline_plainly")
    is_(bus.read(1, A_AUTH_STATE, 1)[0], 1, "the_technicians_session_is_open")
    before_force = bus.read(1, A_FORCE, 2)
    before_set = bus.read(1, A_SETTINGS, 5)
    counter = bus.read(1, A_COUNTER, 2)
    tap(counter[0] << 16 | counter[1] >= 1, "session_counter_counts_pilecons_envelopes")

    # ---- bystander-write-refused -------------------------------------------
    is_(bus.write(1, A_FORCE, [0, 0]), EX_FUNCTION, "bystander_plain_fc16_is_refused")
    is_(last_error(bus), WERR_NEEDS_MAC, "plain_fc16_reads_as_needs_mac")
    is_(bus.write(1, A_SETTINGS, [0], 6), EX_FUNCTION, "bystander_plain_fc06_is_refused")
    is_(last_error(bus), WERR_NEEDS_MAC, "plain_fc06_reads_as_needs_mac")
    wrong = os.urandom(32)
    is_(bus.write(1, A_ENVELOPE, envelope(wrong, A_FORCE, [0, 0], 1000)), EX_FUNCTION,
        "bystander_envelope_with_a_wrong_mac_is_refused")
    is_(last_error(bus), WERR_BAD_MAC, "wrong_mac_reads_as_bad_mac")
    # The same values, a MAC copied from pilecon's frame: bound to its values.
    forged = bytearray(frame[7:-2])
    forged[4:8] = b"\xff\xff\xff\xf0"	# counter far ahead
    got, p = bus.transact(1, bytes([16]) + frame[2:7] + bytes(forged))
    is_(p[0] if got & 0x80 else 0, EX_FUNCTION, "pilecons_mac_under_another_counter_is_refused")
    is_(last_error(bus), WERR_BAD_MAC, "a_moved_counter_breaks_the_mac")
    is_(bus.read(1, A_FORCE, 2), before_force, "bystander_changed_no_force_offline")
    is_(bus.read(1, A_SETTINGS, 5), before_set, "bystander_changed_no_setting")
    is_(bus.read(1, A_COUNTER, 2), counter, "refused_frames_spend_no_counter")

    # ---- replayed-frame-refused ----------------------------------------------
    got, p = bus.send_raw(frame)
    is_(p[0] if got & 0x80 else 0, EX_FUNCTION, "replayed_pilecon_frame_is_refused")
    is_(last_error(bus), WERR_REPLAY, "replayed_frame_reads_as_replay")
    is_(bus.read(1, A_FORCE, 2), before_force, "replay_changed_nothing")
    is_(bus.read(1, A_AUTH_STATE, 1)[0], 1, "the_technicians_session_survives_the_attacks")
else:
    is_(bus.read(1, A_AUTH_STATE, 1)[0], 0, "pilecon_closed_its_session_when_it_quit")
    is_(bus.read(1, A_COUNTER, 2), [0, 0], "closed_session_has_no_counter")
    got, p = bus.send_raw(frame)
    is_(p[0] if got & 0x80 else 0, EX_FUNCTION, "pilecon_frame_after_quit_is_refused")
    is_(last_error(bus), WERR_NO_SESSION, "and_reads_as_no_session")
    is_(bus.write(1, A_FORCE, [0, 0]), EX_FUNCTION, "plain_write_after_quit_is_refused")

    # A master with the key: its own session, its own Ks, each frame once.
    key = key_of(1)
    ch = bytes_of(bus.read(1, A_CHALLENGE, 8))
    resp = hmac.new(key, ch + SERIAL + bytes([1]), hashlib.sha256).digest()
    is_(bus.write(1, A_RESPONSE, regs_of(resp)), 0, "keyed_master_opens_a_session")
    ks = hmac.new(key, b"pilecon-session" + ch + SERIAL + bytes([1]), hashlib.sha256).digest()
    env = envelope(ks, A_SETTINGS + 2, [1], 1)
    is_(bus.write(1, A_ENVELOPE, env), 0, "envelope_with_python_computed_mac_is_accepted")
    is_(bus.read(1, A_SETTINGS + 2, 1)[0], 1, "and_applied_its_value")
    is_(bus.read(1, A_COUNTER, 2), [0, 1], "session_counter_is_1")
    is_(bus.write(1, A_ENVELOPE, env), EX_FUNCTION, "the_same_envelope_again_is_refused")
    is_(last_error(bus), WERR_REPLAY, "as_a_replay")
    got, p = bus.send_raw(frame)
    is_(last_error(bus), WERR_BAD_MAC, "pilecons_old_frame_fails_under_the_new_session_key")
    is_(bus.write(1, A_ENVELOPE, envelope(ks, A_SETTINGS + 2, [0], 2)), 0,
        "the_next_counter_is_accepted")
    is_(bus.write(1, A_ENVELOPE, envelope(ks, A_CLOSE, [1], 3)), 0, "session_close_through_the_envelope")
    is_(bus.read(1, A_AUTH_STATE, 1)[0], 0, "session_close_ends_the_session")
    is_(bus.write(1, A_ENVELOPE, envelope(ks, A_SETTINGS + 2, [1], 4)), EX_FUNCTION,
        "no_envelope_after_close")
    is_(last_error(bus), WERR_NO_SESSION, "after_close_reads_as_no_session")
with open(COUNTFILE, "w") as f:
    f.write("%d %d\n" % (n, failed))
sys.exit(1 if failed else 0)
