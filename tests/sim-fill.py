#!/usr/bin/env python3
"""sim-fill.py - N offline card charges on pile ADDR of a running pilesim,
straight down its control socket (the framing of src/sim/ctlsock.c, as
`pilesim ctl` sends it), so thousands of records take seconds rather than a
process per command.

    sim-fill.py CTL_SOCKET ADDR N UID

The card UID must be on the pile's whitelist and the pile's link down (so
the charges stay unsynced). Each charge: swipe, plug, power, advance,
unplug. Fails unless the pile numbered N new records: a full store (pilesim
--record-capacity, default 2000) refuses a charge without an error.
"""
import json
import socket
import struct
import sys


def ctl(path, *args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    words = [a.encode() for a in args]
    s.sendall(b"PSC1" + struct.pack(">I", len(words)) +
              b"".join(struct.pack(">I", len(w)) + w for w in words))
    reply = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        reply += chunk
    s.close()
    status, length = struct.unpack(">II", reply[:8])
    if status != 0:
        sys.exit("sim-fill: pilesim ctl %s: %s" %
                 (" ".join(args), reply[8:8 + length].decode(errors="replace")))
    return reply[8:8 + length]


def last_seq(path, addr):
    return json.loads(ctl(path, "pile", "status", addr, "--json"))["records"]["last_seq"]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip())
    path, addr, n, uid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    first = last_seq(path, addr)
    for i in range(n):
        ctl(path, "swipe", addr, uid)
        ctl(path, "plug", addr)
        ctl(path, "power", addr, str(3000 + (i % 8) * 500))
        ctl(path, "advance", str(600 + (i % 5) * 300))
        ctl(path, "unplug", addr)
    made = last_seq(path, addr) - first
    if made != n:
        sys.exit("sim-fill: pile %s numbered %d records of the %d charges "
                 "(a full store? see pilesim --record-capacity)" % (addr, made, n))


if __name__ == "__main__":
    main()
