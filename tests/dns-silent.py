#!/usr/bin/python3
"""dns-silent.py ADDRESS LOG - a name server that never answers, for tests:
listens on UDP ADDRESS port 53, writes each question's name to LOG (one a
line) and sends nothing back, as a name server cut off from the network.
Prints "ready" on stdout once it listens."""
import socket, sys

addr, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
print("ready", flush=True)
while True:
    data, _ = s.recvfrom(4096)
    labels, i = [], 12          # the question follows the 12-byte header
    while i < len(data) and data[i] != 0 and len(labels) < 64:
        n = data[i]
        labels.append(data[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    with open(log, "a") as f:
        f.write(".".join(labels) + "\n")
