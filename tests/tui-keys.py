#!/usr/bin/env python3
"""tui-keys.py - key-to-screen latency of a console running in tmux.

    tui-keys.py -L SOCKET [--busy ERE] [--max-keys N] [--timeout S] KEYS=>ERE ...

Talks to the tmux server on SOCKET in control mode (one client, no process
per command, so a screen can be read every few tenths of a millisecond).
Sends each step's KEYS (tmux send-keys words, split on spaces) in turn,
cycling, and reads the pane until a line matches the step's ERE: the time
from send-keys to that screen is the key's latency. A step whose ERE is
already on screen before its keys are sent must make the screen change
too.

With --busy, it cycles while a line of the screen matches ERE (the job
runs) and stops once none does; each answer records whether the busy line
was still on the screen that showed it: answered while the job ran. Only
the last key can be answered after: the job may end while it is on its
way. A console that froze until the job's end answers no key while busy.
Prints one line per key and a summary:

    key '2' 14.2 ms busy 1
    keys 24 while_busy 24 median 9.1 max 31.0 ms unanswered 0 after_done 0
"""
import argparse
import re
import subprocess
import sys
import time


class Tmux:
    """One control-mode client: commands in, %begin/%end blocks out."""

    def __init__(self, socket):
        self.p = subprocess.Popen(["tmux", "-L", socket, "-C", "attach"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        # Attaching answers with a block of its own: skip to ours.
        self._send("display-message -p tui-keys-sync")
        while "tui-keys-sync" not in self._block():
            pass

    def _send(self, c):
        self.p.stdin.write((c + "\n").encode())
        self.p.stdin.flush()

    def _block(self):
        out, inside = [], False
        while True:
            line = self.p.stdout.readline()
            if not line:
                sys.exit("tui-keys: tmux went away")
            line = line.decode("utf-8", "replace").rstrip("\n")
            if line.startswith("%begin"):
                inside, out = True, []
            elif line.startswith(("%end", "%error")) and inside:
                return out
            elif inside:
                out.append(line)

    def cmd(self, c):
        self._send(c)
        return self._block()

    def screen(self):
        return self.cmd("capture-pane -p")

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def quote(word):
    return "'" + word.replace("'", "'\\''") + "'"


def main():
    ap = argparse.ArgumentParser(description="key-to-screen latency under tmux")
    ap.add_argument("-L", dest="socket", required=True)
    ap.add_argument("--busy")
    ap.add_argument("--max-keys", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds a key may take before it counts as unanswered")
    ap.add_argument("steps", nargs="+", metavar="KEYS=>ERE")
    a = ap.parse_args()
    steps = []
    for s in a.steps:
        keys, _, ere = s.partition("=>")
        steps.append((keys.split(), re.compile(ere)))
    busy = re.compile(a.busy) if a.busy else None

    def has(screen, ere):
        return any(ere.search(l) for l in screen)

    t = Tmux(a.socket)
    lat, unanswered, after_done, n = [], 0, 0, 0
    while n < a.max_keys:
        keys, ere = steps[n % len(steps)]
        before = t.screen()
        # A screen caught between two draws must not end the run: the
        # first key waits up to 2 s for the job to show, the others 0.5 s
        # for it to show again before the job counts as over.
        waited = time.monotonic()
        while (busy is not None and not has(before, busy) and
               time.monotonic() - waited < (2.0 if n == 0 else 0.5)):
            time.sleep(0.01)
            before = t.screen()
        if busy is not None and not has(before, busy):
            break
        t0 = time.monotonic()
        t.cmd("send-keys " + " ".join(quote(k) for k in keys))
        while True:
            s = t.screen()
            now = time.monotonic()
            if has(s, ere) and (s != before or not has(before, ere)):
                break
            if now - t0 > a.timeout:
                s = None
                break
        n += 1
        if s is None:
            unanswered += 1
            print("key %s unanswered after %.0f s" % (quote(" ".join(keys)), a.timeout))
            continue
        ms = (now - t0) * 1000
        lat.append(ms)
        still = 1 if busy is None or has(s, busy) else 0
        after_done += 1 - still
        print("key %s %.1f ms busy %d" % (quote(" ".join(keys)), ms, still))
        sys.stdout.flush()
    t.close()
    lat.sort()
    med = lat[len(lat) // 2] if lat else 0.0
    print("keys %d while_busy %d median %.1f max %.1f ms unanswered %d after_done %d" %
          (n, len(lat) - after_done, med, lat[-1] if lat else 0.0, unanswered, after_done))


if __name__ == "__main__":
    main()
