#!/usr/bin/python3
"""tcp-bridge.py PTY STATEFILE - an RS-485-to-Ethernet server for tests:
serves pilesim's pty (115200 8E1, as pilecon sets it) to one TCP client at
a time on 127.0.0.1, at a port the system chose; writes "PID PORT" to
STATEFILE once it listens.

SIGUSR1 pulls the cable: the client is dropped and the server stops
accepting, its accept queue filled by connections of its own, so that a
new connect hangs unanswered (its SYN dropped) as with a server gone from
the network. SIGUSR2 puts the cable back: the queue is drained and the
next client served."""
import os, select, signal, socket, sys, termios, tty

pty_path, statefile = sys.argv[1], sys.argv[2]
fd = os.open(pty_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
tty.setraw(fd)
a = termios.tcgetattr(fd)
a[0] |= termios.INPCK                       # even parity, as a pty keeps it
a[2] = (a[2] & ~(termios.CSIZE | termios.CSTOPB | termios.PARODD)) | termios.CS8 | termios.CLOCAL | termios.CREAD
a[4] = a[5] = termios.B115200
termios.tcsetattr(fd, termios.TCSANOW, a)

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(0)
port = srv.getsockname()[1]
pulled = False
client = None
fillers = []


def pull(*_):
    global pulled
    pulled = True


def plug(*_):
    global pulled
    pulled = False


signal.signal(signal.SIGUSR1, pull)
signal.signal(signal.SIGUSR2, plug)
with open(statefile + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), port))
os.rename(statefile + ".tmp", statefile)

while True:
    if pulled:
        if client is not None:
            client.close()
            client = None
        # Fill the accept queue (backlog 0 holds one): later SYNs are dropped.
        while len(fillers) < 2:
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(s)
        select.select([], [], [], 0.1)
        continue
    if fillers:
        for s in fillers:
            s.close()
        fillers = []
    rd = [srv, fd] + ([client] if client is not None else [])
    try:
        r, _, _ = select.select(rd, [], [], 0.1)
    except InterruptedError:
        continue
    if srv in r:
        c, _ = srv.accept()
        # One client; a queued filler (closed) reads as gone at once.
        if client is not None:
            client.close()
        client = c
    if fd in r:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            data = b""
        if data and client is not None:
            try:
                client.sendall(data)
            except OSError:
                client.close()
                client = None
    if client is not None and client in r:
        try:
            data = client.recv(4096)
        except OSError:
            data = b""
        if not data:
            client.close()
            client = None
        else:
            os.write(fd, data)
