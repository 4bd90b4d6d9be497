#!/usr/bin/env python3
# soak.py - randomized crash and fault scenarios: piles charging online and
# offline, pulls, exports and resyncs interrupted by SIGKILL of pilecon or
# pilesim at random instants, lost cloud acknowledgements and a noisy line.
# After each scenario, every record a pile ever showed must exist exactly
# once, unaltered, on the pile, in the archive, in the cloud and in the
# export, with no gap in the sequence numbers.
#
#   soak.py --builddir DIR [--seed S] [--count N] [--tap | --summary] [-v]
#
# Each scenario runs from its own seed (base seed + index), printed on
# failure with the command that runs it alone. The seed fixes the plan (which
# steps, which piles, which faults, the kill delays); the instant a SIGKILL
# lands still depends on the machine, which is the point of a soak.
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib

REC_BYTES = 124
F_SYNCED = 0x02
CARDS = ["04A1B2C3", "04D4E5F6", "0A0B0C0D0E0F10"]


SANITIZER_WORDS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class Broken(Exception):
    """The harness itself could not go on (pilesim would not start...)."""


def wire_crc_ok(wire):
    """The record's CRC-32 over its bytes, SYNCED flag masked, as proto does."""
    if len(wire) != REC_BYTES:
        return False
    body = wire[:5] + bytes([wire[5] & ~F_SYNCED & 0xFF]) + wire[6:120]
    return zlib.crc32(body) & 0xFFFFFFFF == int.from_bytes(wire[120:124], "big")


class Scenario:
    def __init__(self, seed, builddir, verbose=False):
        self.seed = seed
        self.rng = random.Random(seed)
        self.pilesim = os.path.join(builddir, "pilesim")
        self.pilecon = os.path.join(builddir, "pilecon")
        self.verbose = verbose
        self.tmp = tempfile.mkdtemp(prefix="pilecon-soak.")
        self.data = os.path.join(self.tmp, "sim")
        self.archive = os.path.join(self.tmp, "archive.db")
        self.env = dict(os.environ, HOME=self.tmp, TZ="UTC", LC_ALL="C.UTF-8",
                        XDG_CONFIG_HOME=self.tmp + "/config",
                        XDG_DATA_HOME=self.tmp + "/share",
                        XDG_STATE_HOME=self.tmp + "/state")
        self.env.pop("PILECON_PORT", None)
        self.npiles = self.rng.randint(1, 3)
        self.sim = None
        self.simlog = None
        self.seen = {a: {} for a in self.piles()}     # seq -> record (dict)
        self.acked = {a: set() for a in self.piles()}  # seqs a ctl said were stored
        self.problems = []
        self.steps = []
        self.kills = {"pilecon": 0, "pilesim": 0}
        self.est = {"pull": 0.05, "export": 0.03, "resync": 0.3}
        self.export_n = 0

    def piles(self):
        return range(1, self.npiles + 1)

    def note(self, what):
        self.steps.append(what)
        if self.verbose:
            print("# " + what, file=sys.stderr)

    def problem(self, what):
        self.problems.append(what)

    # ---- processes ------------------------------------------------------

    def start_sim(self):
        self.simlog = open(os.path.join(self.tmp, "pilesim.log"), "a")
        self.simlog.write("---- start\n")
        self.simlog.flush()
        self.sim = subprocess.Popen(
            [self.pilesim, "--data", self.data, "--piles", str(self.npiles),
             "--frozen-clock", "--seed", str(self.seed & 0xFFFFFFFF)],
            stdout=self.simlog, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + 20
        sock = os.path.join(self.data, "ctl.sock")
        while True:
            if self.sim.poll() is not None:
                raise Broken("pilesim exited with %d at start: %s" %
                              (self.sim.returncode, self.read_simlog()))
            if os.path.exists(sock) and self.ctl_rc("help") == 0:
                return
            if time.monotonic() > deadline:
                raise Broken("pilesim did not start in 20 s")
            time.sleep(0.01)

    def read_simlog(self):
        with open(os.path.join(self.tmp, "pilesim.log")) as f:
            return f.read()[-2000:]

    def kill_sim(self):
        self.sim.send_signal(signal.SIGKILL)
        # The bus link now names a pty number the kernel may hand to the
        # next pty opened on this machine (another test's pilesim, whose
        # piles have the same serials): a pilecon opening the link before
        # the restart would reach that simulator. A pulled cable leaves no
        # path behind; neither do we. pilesim makes the link anew when it
        # starts. (A once-seen failure, SIM-0002's key looking replaced
        # under a loaded make check, is not yet explained by this.)
        try:
            os.unlink(os.path.join(self.data, "bus"))
        except FileNotFoundError:
            pass
        self.sim.wait(timeout=20)
        self.simlog.close()
        self.kills["pilesim"] += 1

    def stop(self):
        """SIGTERM: pilesim must exit 0 (a sanitizer report would not)."""
        if self.sim is not None and self.sim.poll() is None:
            self.sim.terminate()
            try:
                self.sim.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.sim.kill()
                self.sim.wait()
            if self.sim.returncode != 0:
                self.problem("pilesim exited %d on SIGTERM: %s" % (
                    self.sim.returncode, self.read_simlog()[-1000:]))
        if self.simlog is not None and not self.simlog.closed:
            self.simlog.close()
        log = os.path.join(self.tmp, "pilesim.log")
        if os.path.exists(log):
            text = open(log, errors="replace").read()
            if any(w in text for w in SANITIZER_WORDS):
                self.problem("pilesim: sanitizer report: %s" % text[-1500:])
        self.sim = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ctl_argv(self, *args):
        return [self.pilesim, "ctl", "--data", self.data] + [str(a) for a in args]

    def ctl(self, *args, check=True):
        r = subprocess.run(self.ctl_argv(*args), capture_output=True, text=True,
                           timeout=30, env=self.env)
        if check and r.returncode != 0:
            raise Broken("pilesim ctl %s: exit %d: %s%s" % (
                " ".join(map(str, args)), r.returncode, r.stdout, r.stderr))
        return r.returncode, r.stdout + r.stderr

    def ctl_rc(self, *args):
        try:
            return self.ctl(*args, check=False)[0]
        except subprocess.TimeoutExpired:
            return -1

    def ctl_json(self, *args):
        return json.loads(self.ctl(*args)[1])

    def pc_argv(self, addr, *args):
        return [self.pilecon, "-p", os.path.join(self.data, "bus"), "-a", str(addr),
                "--keys", os.path.join(self.data, "keys.yaml"),
                "--archive", self.archive, "--timeout", "300"] + [str(a) for a in args]

    def pc(self, addr, *args, timeout=120):
        r = subprocess.run(self.pc_argv(addr, *args), capture_output=True, text=True,
                           timeout=timeout, env=self.env)
        self.sanitizer_check("pilecon " + " ".join(map(str, args)), r.stderr)
        return r.returncode, r.stdout + r.stderr

    def sanitizer_check(self, what, text):
        if any(w in text for w in SANITIZER_WORDS):
            self.problem("%s: sanitizer report: %s" % (what, text[-1500:]))

    def pc_killed(self, kind, addr, *args):
        """Runs pilecon and SIGKILLs it after a random delay (or lets it
        finish, then learns how long such a command takes)."""
        t0 = time.monotonic()
        errpath = os.path.join(self.tmp, "pilecon.err")
        with open(errpath, "w") as err:
            p = subprocess.Popen(self.pc_argv(addr, *args), stdout=subprocess.DEVNULL,
                                 stderr=err, env=self.env)
        delay = self.rng.uniform(0, self.est[kind] * 1.3)
        try:
            p.wait(timeout=delay)
            self.est[kind] = 0.7 * self.est[kind] + 0.3 * (time.monotonic() - t0)
            with open(errpath, errors="replace") as err:
                self.sanitizer_check("pilecon " + " ".join(map(str, args)), err.read())
            return p.returncode, False
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=20)
            self.kills["pilecon"] += 1
            return None, True

    # ---- what the piles hold ----------------------------------------------

    def status(self, addr):
        return self.ctl_json("pile", "status", addr, "--json")

    def snapshot(self):
        """Every record a pile shows is one it acknowledged: remember it, and
        that it never changes."""
        for a in self.piles():
            for r in self.ctl_json("pile", "records", a, "--json"):
                old = self.seen[a].get(r["seq"])
                if old is not None and old["crc"] != r["crc"]:
                    self.problem("corrupted: pile %d record %d changed CRC %d -> %d" %
                                 (a, r["seq"], old["crc"], r["crc"]))
                if old is None:
                    self.seen[a][r["seq"]] = r

    # ---- steps --------------------------------------------------------------

    def finish_session(self, addr, kill_sim=False):
        """Ends what runs on the pile: plugs a pending authorization in and
        unplugs. With kill_sim, pilesim dies at a random instant of the
        unplug (the record being stored)."""
        st = self.status(addr)
        if st["pending"] is not None and not st["plugged"]:
            self.ctl("plug", addr)
            st = self.status(addr)
        if not st["plugged"]:
            return
        sess = st["session"]
        if not kill_sim:
            self.ctl("unplug", addr)
            if sess is not None:
                self.acked[addr].add(sess["id"])
            return
        p = subprocess.Popen(self.ctl_argv("unplug", addr), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=self.env)
        time.sleep(self.rng.uniform(0, 0.004))
        self.kill_sim()
        out = p.communicate(timeout=30)[0]
        if p.returncode == 0 and sess is not None:
            self.acked[addr].add(sess["id"])
        self.note("pilesim killed during unplug of pile %d (ctl exit %d%s)" % (
            addr, p.returncode, ", stored" if p.returncode == 0 else ""))
        self.start_sim()
        del out

    def charge(self, addr, kill_sim=False):
        st = self.status(addr)
        if st["plugged"] or st["pending"] is not None:
            self.finish_session(addr)
            st = self.status(addr)
        mode = self.rng.choice(["online", "offline", "offline", "forced", "app"])
        card = self.rng.choice(CARDS)
        if mode == "forced":
            if st["link"] != "forced_offline":
                rc, out = self.pc(addr, "offline", "on", "--for", "3h")
                if rc != 0:
                    mode = "offline"
        if mode == "offline":
            self.ctl("link", addr, "down")
        if mode in ("online", "app"):
            if st["link"] == "forced_offline":
                if self.pc(addr, "offline", "off")[0] != 0:
                    mode = "offline"
            if mode != "offline":
                self.ctl("link", addr, "up")
        if mode == "app":
            rc, out = self.ctl("app-order", "PILE-SIM-%04d" % addr, "--confirm",
                               check=False)
            if rc != 0:
                mode = "online"
        if mode != "app":
            self.ctl("swipe", addr, card)
        self.ctl("plug", addr)
        self.ctl("power", addr, self.rng.choice([1400, 3700, 7000, 11000, 22000]))
        self.ctl("advance", self.rng.randint(30, 4 * 3600))
        self.note("charge pile %d %s" % (addr, mode))
        self.finish_session(addr, kill_sim=kill_sim)

    def burst(self, addr):
        """Several short offline sessions in a row: records to pull."""
        self.finish_session(addr)
        self.ctl("link", addr, "down")
        n = self.rng.randint(3, 12)
        for _ in range(n):
            self.ctl("swipe", addr, CARDS[0])
            self.ctl("plug", addr)
            self.ctl("advance", self.rng.randint(60, 900))
            self.ctl("unplug", addr)
        self.note("burst of %d offline sessions on pile %d" % (n, addr))

    def pull(self, addr):
        if self.rng.random() < 0.6:
            rc, killed = self.pc_killed("pull", addr, "logs", "pull")
            self.note("pull pile %d %s" % (addr, "killed" if killed else "exit %s" % rc))
        else:
            rc, out = self.pc(addr, "logs", "pull")
            self.note("pull pile %d exit %d" % (addr, rc))

    def export(self):
        self.export_n += 1
        fmt = self.rng.choice(["csv", "jsonl"])
        path = os.path.join(self.tmp, "export-%d.%s" % (self.export_n, fmt))
        held = self.archive_rows()
        rc, killed = self.pc_killed("export", 1, "logs", "export", "--format", fmt,
                                    "-o", path)
        self.note("export %s %s" % (fmt, "killed" if killed else "exit %s" % rc))
        # Atomic: after a kill the file is absent or whole, never a part.
        if os.path.exists(path):
            with open(path) as f:
                # A CSV export opens with a '#' line on formula guards.
                lines = [l for l in f.read().splitlines() if not l.startswith("#")]
            want = len(held) + (1 if fmt == "csv" else 0)
            if len(lines) != want:
                self.problem("export %s has %d lines, the archive held %d records%s" % (
                    path, len(lines), len(held), " (killed)" if killed else ""))
        elif not killed and rc == 0:
            self.problem("export exited 0 but wrote no %s" % path)

    def resync(self, addr):
        st = self.status(addr)
        if st["link"] == "forced_offline":
            self.pc(addr, "offline", "off")
        self.ctl("link", addr, "up")
        rc, killed = self.pc_killed("resync", addr, "resync", "--wait", "--timeout", "30")
        self.note("resync pile %d %s" % (addr, "killed" if killed else "exit %s" % rc))

    def kill_during_uploads(self, addr):
        """pilesim dies while the pile uploads to the cloud."""
        st = self.status(addr)
        if st["records"]["unsynced"] == 0 or st["link"] == "forced_offline":
            return
        self.ctl("link", addr, "up")
        time.sleep(self.rng.uniform(0, 0.02 * st["records"]["unsynced"]))
        self.kill_sim()
        self.note("pilesim killed during resync uploads of pile %d" % addr)
        self.start_sim()

    def kill_during_pull(self, addr):
        """pilesim dies while pilecon pulls; the pull fails, nothing is lost."""
        p = subprocess.Popen(self.pc_argv(addr, "logs", "pull"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=self.env)
        time.sleep(self.rng.uniform(0, self.est["pull"]))
        self.kill_sim()
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            self.problem("pilecon logs pull hung after pilesim died")
        self.note("pilesim killed during a pull of pile %d (pilecon exit %s)" % (
            addr, p.returncode))
        self.start_sim()

    def line_faults(self):
        if self.rng.random() < 0.4:
            self.ctl("line", "off")
            self.note("line clean")
            return
        ber = self.rng.choice([0, 0, 1e-5, 5e-5, 2e-4])
        drop = self.rng.choice([0, 0, 0.01, 0.05])
        trunc = self.rng.choice([0, 0, 0.01, 0.05])
        lat = self.rng.choice([0, 0, 2, 5, 10])
        self.ctl("line", "ber", ber)
        self.ctl("line", "drop", drop)
        self.ctl("line", "truncate", trunc)
        self.ctl("line", "latency", lat)
        self.note("line ber %g drop %g truncate %g latency %d ms" % (ber, drop, trunc, lat))

    def drop_acks(self):
        n = self.rng.randint(1, 5)
        self.ctl("cloud", "drop-acks", n)
        self.note("cloud loses the next %d acks" % n)

    def step(self):
        a = self.rng.choice(list(self.piles()))
        r = self.rng.random()
        if r < 0.22:
            self.charge(a)
        elif r < 0.32:
            self.burst(a)
        elif r < 0.40:
            self.charge(a, kill_sim=True)
        elif r < 0.55:
            self.pull(a)
        elif r < 0.63:
            self.export()
        elif r < 0.71:
            self.resync(a)
        elif r < 0.76:
            self.kill_during_uploads(a)
        elif r < 0.81:
            self.kill_during_pull(a)
        elif r < 0.86:
            self.ctl("link", a, self.rng.choice(["up", "down"]))
            self.note("link pile %d" % a)
        elif r < 0.93:
            self.line_faults()
        else:
            self.drop_acks()
        self.snapshot()

    # ---- the end: bring everything home and compare -------------------------

    def archive_rows(self):
        if not os.path.exists(self.archive):
            return []
        db = sqlite3.connect("file:%s?mode=ro" % self.archive, uri=True, timeout=10)
        try:
            return db.execute("SELECT serial, seq, crc, wire, offline FROM records").fetchall()
        except sqlite3.OperationalError:
            return []  # no table yet: the first pull was killed before it
        finally:
            db.close()

    def settle(self):
        self.ctl("line", "off")
        self.ctl("cloud", "drop-acks", 0)
        for a in self.piles():
            self.finish_session(a)
            if self.status(a)["link"] == "forced_offline":
                rc, out = self.pc(a, "offline", "off")
                if rc != 0:
                    self.problem("offline off on pile %d: exit %d: %s" % (a, rc, out))
            self.ctl("link", a, "up")
        self.snapshot()
        for a in self.piles():
            rc, out = self.pc(a, "resync", "--wait", "--timeout", "60")
            if rc != 0:
                self.problem("final resync of pile %d: exit %d: %s" % (a, rc, out))
            rc, out = self.pc(a, "logs", "pull")
            if rc != 0:
                self.problem("final pull of pile %d: exit %d: %s" % (a, rc, out))
        self.final_export = os.path.join(self.tmp, "final.jsonl")
        rc, out = self.pc(1, "logs", "export", "--format", "jsonl", "-o", self.final_export)
        if rc != 0:
            self.problem("final export: exit %d: %s" % (rc, out))

    def check(self, totals):
        serial = lambda a: "SIM-%04d" % a
        pile = {}
        for a in self.piles():
            st = self.status(a)
            if st["fault"] is not None:
                self.problem("pile %d reports a fault: %s" % (a, st["fault"]))
            recs = self.ctl_json("pile", "records", a, "--json")
            seqs = [r["seq"] for r in recs]
            if seqs != list(range(1, st["records"]["last_seq"] + 1)):
                self.problem("pile %d: sequence numbers %s are not 1..%d" % (
                    a, seqs[:20], st["records"]["last_seq"]))
            pile[serial(a)] = {r["seq"]: r for r in recs}
            totals["records"] += len(recs)
            for seq, r in self.seen[a].items():
                if seq not in pile[serial(a)]:
                    totals["lost"] += 1
                    self.problem("lost: pile %d record %d (seen before) is gone" % (a, seq))
                elif pile[serial(a)][seq]["crc"] != r["crc"]:
                    totals["corrupted"] += 1
                    self.problem("corrupted: pile %d record %d changed" % (a, seq))
            for seq in self.acked[a]:
                if seq not in pile[serial(a)]:
                    totals["lost"] += 1
                    self.problem("lost: pile %d record %d, stored by an unplug, is gone" % (a, seq))
            for r in recs:
                if not r["synced"]:
                    self.problem("pile %d record %d is not synced after resync" % (a, r["seq"]))

        def compare(where, copies):
            """copies: list of (serial, seq, crc, offline-or-None)."""
            count = {}
            for s, seq, crc, off in copies:
                count[(s, seq)] = count.get((s, seq), 0) + 1
                r = pile.get(s, {}).get(seq)
                if r is None:
                    totals["corrupted"] += 1
                    self.problem("%s holds %s #%d that no pile has" % (where, s, seq))
                elif r["crc"] != crc or (off is not None and bool(off) != r["offline"]):
                    totals["corrupted"] += 1
                    self.problem("corrupted: %s %s #%d CRC %08x, pile %08x" % (
                        where, s, seq, crc, r["crc"]))
            for s, recs in pile.items():
                for seq in recs:
                    n = count.get((s, seq), 0)
                    if n == 0:
                        totals["lost"] += 1
                        self.problem("lost: %s lacks %s #%d" % (where, s, seq))
                    elif n > 1:
                        totals["duplicated"] += n - 1
                        self.problem("duplicated: %s holds %s #%d %d times" % (where, s, seq, n))

        rows = self.archive_rows()
        for s, seq, crc, wire, off in rows:
            if not wire_crc_ok(bytes(wire)):
                totals["corrupted"] += 1
                self.problem("corrupted: archive wire bytes of %s #%d fail their CRC" % (s, seq))
        compare("archive", [(s, seq, crc, off) for s, seq, crc, wire, off in rows])

        rc, out = self.pc(1, "--json", "logs", "list")
        listed = [json.loads(l) for l in out.splitlines() if l.startswith("{")] if rc == 0 else []
        if rc != 0:
            self.problem("logs list: exit %d: %s" % (rc, out))
        compare("logs list", [(r["serial"], r["seq"], int(r["crc"], 16), r["offline"])
                              for r in listed])

        cloud = self.ctl_json("cloud", "records", "--json")
        compare("cloud", [(r["serial"], r["seq"], r["crc"], r["offline"]) for r in cloud])
        # The cloud's own file: one line per record, each in pile order.
        lines = []
        with open(os.path.join(self.data, "cloud.jsonl")) as f:
            for l in f:
                lines.append(json.loads(l))
        compare("cloud.jsonl", [(r["serial"], r["seq"], r["crc"], r["offline"]) for r in lines])
        last = {}
        for r in lines:
            if r["seq"] <= last.get(r["serial"], 0):
                self.problem("cloud.jsonl: %s #%d after #%d: resent out of order" % (
                    r["serial"], r["seq"], last[r["serial"]]))
            last[r["serial"]] = r["seq"]
            if not wire_crc_ok(bytes.fromhex(r["wire"])):
                totals["corrupted"] += 1
                self.problem("corrupted: cloud wire bytes of %s #%d" % (r["serial"], r["seq"]))

        if os.path.exists(self.final_export):
            with open(self.final_export) as f:
                exp = [json.loads(l) for l in f]
            compare("export", [(r["pile"], r["seq"], int(r["crc"], 16), r["offline"])
                               for r in exp])
        return pile

    def run(self, totals):
        os.makedirs(self.data)
        self.start_sim()
        for a in self.piles():
            for c in CARDS:
                self.ctl("whitelist", a, "add", c)
        nsteps = self.rng.randint(8, 20)
        for _ in range(nsteps):
            self.step()
        self.settle()
        self.check(totals)
        self.stop()


class ResetScenario(Scenario):
    """Issue 10: a pile's record store is reset between pulls (a replaced
    controller, the same serial: numbering from 1 again, a new store id),
    once or twice, among charges, pulls and exports with pilecon and pilesim
    killed, on a line that may be noisy. The archive keeps every series
    apart: at the end every record of every store the pile ever had is in
    the archive, in logs list and in the export exactly once, unaltered,
    under its store id; 0 records lost."""

    def __init__(self, seed, builddir, verbose=False):
        Scenario.__init__(self, seed, builddir, verbose)
        self.retired = {a: [] for a in self.piles()}  # [(store_id, {seq: rec})]

    def store_id(self, addr):
        rc, out = self.pc(addr, "--json", "status")
        if rc != 0:
            raise Broken("status of pile %d: exit %d: %s" % (addr, rc, out))
        return json.loads(out[out.index("{"):])["store"]["store_id"]

    def reset_between_pulls(self, addr):
        """Pulls the pile whole (the archive holds its store), then resets
        its store. A pull the faults stopped is done again."""
        self.finish_session(addr)
        self.ctl("line", "off")
        for _ in range(4):
            rc, out = self.pc(addr, "logs", "pull")
            if rc == 0:
                break
        else:
            self.problem("pull of pile %d before its reset: exit %d: %s" % (addr, rc, out))
            return
        self.snapshot()
        for seq in self.acked[addr]:
            if seq not in self.seen[addr]:
                self.problem("lost: pile %d record %d, stored by an unplug, is gone" %
                             (addr, seq))
        old = self.store_id(addr)
        out = self.ctl("store", "reset", addr)[1]
        self.retired[addr].append((old, self.seen[addr]))
        self.seen[addr] = {}
        self.acked[addr] = set()
        self.note("store of pile %d reset (store id %d, %d records) -> %s" % (
            addr, old, len(self.retired[addr][-1][1]), out.strip().split()[-1]))
        # Often past the old series' last seq: only the store id or the
        # records themselves then tell the series apart.
        if self.rng.random() < 0.6:
            n = len(self.retired[addr][-1][1]) + self.rng.randint(1, 4)
            self.ctl("link", addr, "down")
            for _ in range(n):
                self.ctl("swipe", addr, CARDS[1])
                self.ctl("plug", addr)
                self.ctl("advance", self.rng.randint(60, 900))
                self.ctl("unplug", addr)
            self.note("%d sessions on pile %d after its reset" % (n, addr))
            self.snapshot()

    def reset_step(self):
        a = self.rng.choice(list(self.piles()))
        r = self.rng.random()
        if r < 0.25:
            self.charge(a)
        elif r < 0.40:
            self.burst(a)
        elif r < 0.47:
            self.charge(a, kill_sim=True)
        elif r < 0.65:
            self.pull(a)
        elif r < 0.72:
            self.export()
        elif r < 0.80:
            self.kill_during_pull(a)
        elif r < 0.90:
            self.line_faults()
        else:
            self.reset_between_pulls(a)
        self.snapshot()

    def check_series(self, totals):
        want = {}
        for a in self.piles():
            s = "SIM-%04d" % a
            for sid, recs in self.retired[a]:
                for seq, r in recs.items():
                    want[(s, sid, seq)] = r["crc"]
            sid = self.store_id(a)
            for r in self.ctl_json("pile", "records", a, "--json"):
                want[(s, sid, r["seq"])] = r["crc"]
            for seq in self.seen[a]:
                if (s, sid, seq) not in want:
                    totals["lost"] += 1
                    self.problem("lost: pile %d record %d (seen before) is gone" % (a, seq))
        totals["records"] += len(want)

        def compare(where, copies):
            """copies: (serial, store_id, seq, crc)"""
            count = {}
            for k in copies:
                key = tuple(k[:3])
                count[key] = count.get(key, 0) + 1
                if key not in want:
                    totals["corrupted"] += 1
                    self.problem("%s holds %s store %d #%d that no store had" % (
                        where, key[0], key[1], key[2]))
                elif want[key] != k[3]:
                    totals["corrupted"] += 1
                    self.problem("corrupted: %s %s store %d #%d" % ((where,) + key))
            for key in want:
                n = count.get(key, 0)
                if n == 0:
                    totals["lost"] += 1
                    self.problem("lost: %s lacks %s store %d #%d" % ((where,) + key))
                elif n > 1:
                    totals["duplicated"] += n - 1
                    self.problem("duplicated: %s holds %s store %d #%d %d times" % (
                        (where,) + key + (n,)))

        db = sqlite3.connect("file:%s?mode=ro" % self.archive, uri=True, timeout=10)
        try:
            rows = db.execute("SELECT serial, store_id, seq, crc, wire FROM records").fetchall()
        finally:
            db.close()
        for s, sid, seq, crc, wire in rows:
            if not wire_crc_ok(bytes(wire)):
                totals["corrupted"] += 1
                self.problem("corrupted: archive wire bytes of %s #%d fail their CRC" % (s, seq))
        compare("archive", [(s, sid, seq, crc) for s, sid, seq, crc, wire in rows])
        rc, out = self.pc(1, "--json", "logs", "list")
        if rc != 0:
            self.problem("logs list: exit %d: %s" % (rc, out))
        listed = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
        compare("logs list", [(r["serial"], r["store_id"], r["seq"], int(r["crc"], 16))
                              for r in listed])
        if os.path.exists(self.final_export):
            with open(self.final_export) as f:
                exp = [json.loads(l) for l in f]
            compare("export", [(r["pile"], r["store_id"], r["seq"], int(r["crc"], 16))
                               for r in exp])

    def run(self, totals):
        os.makedirs(self.data)
        self.start_sim()
        for a in self.piles():
            for c in CARDS:
                self.ctl("whitelist", a, "add", c)
        resets = self.rng.randint(1, 2)
        for _ in range(resets):
            for _ in range(self.rng.randint(3, 8)):
                self.reset_step()
            self.reset_between_pulls(self.rng.choice(list(self.piles())))
        for _ in range(self.rng.randint(2, 6)):
            self.reset_step()
        self.ctl("line", "off")
        for a in self.piles():
            self.finish_session(a)
        self.snapshot()
        for a in self.piles():
            rc, out = self.pc(a, "logs", "pull")
            if rc != 0:
                self.problem("final pull of pile %d: exit %d: %s" % (a, rc, out))
        self.final_export = os.path.join(self.tmp, "final.jsonl")
        rc, out = self.pc(1, "logs", "export", "--format", "jsonl", "-o", self.final_export)
        if rc != 0:
            self.problem("final export: exit %d: %s" % (rc, out))
        self.check_series(totals)
        self.stop()


def main():
    ap = argparse.ArgumentParser(description="randomized crash and fault scenarios")
    ap.add_argument("--builddir", default=os.environ.get("top_builddir", "."))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--reset", type=int, default=0,
                    help="then N scenarios where a pile's store is reset between pulls")
    ap.add_argument("--tap", action="store_true", help="one TAP line per scenario")
    ap.add_argument("--summary", action="store_true",
                    help="print 'scenarios, records, lost, duplicated, corrupted'")
    ap.add_argument("--keep", action="store_true", help="keep failed scenarios' folders")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    base = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    me = os.path.relpath(__file__)
    print("# soak: %d scenarios from seed %d" % (args.count, base), flush=True)
    totals = {"scenarios": 0, "records": 0, "lost": 0, "duplicated": 0, "corrupted": 0,
              "kills_pilecon": 0, "kills_pilesim": 0}
    failed = 0
    t0 = time.monotonic()
    for i in range(args.count + args.reset):
        seed = base + i
        kind = ResetScenario if i >= args.count else Scenario
        sc = kind(seed, args.builddir, args.verbose)
        before = dict(totals)
        try:
            sc.run(totals)
        except (Broken, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as e:
            sc.problem("harness: %s: %s" % (type(e).__name__, e))
        totals["scenarios"] += 1
        totals["kills_pilecon"] += sc.kills["pilecon"]
        totals["kills_pilesim"] += sc.kills["pilesim"]
        name = "%sscenario %d (seed %d): %d piles, %d records, %d steps, %d kills" % (
            "store reset " if kind is ResetScenario else "", i + 1, seed, sc.npiles, totals["records"] - before["records"], len(sc.steps),
            sc.kills["pilecon"] + sc.kills["pilesim"])
        if sc.problems:
            failed += 1
            if args.tap:
                print("not ok %d - %s" % (i + 1, name))
            else:
                print("FAILED %s" % name)
            for p in sc.problems[:20]:
                print("#   " + p)
            print("#   steps: " + "; ".join(sc.steps))
            print("#   rerun: %s --builddir %s --seed %d --count %d --reset %d -v" % (
                me, args.builddir, seed, 0 if kind is ResetScenario else 1,
                1 if kind is ResetScenario else 0))
            if args.keep:
                sc.stop()
                print("#   kept: " + sc.tmp)
            else:
                sc.cleanup()
        else:
            if args.tap:
                print("ok %d - %s" % (i + 1, name))
            sc.cleanup()
        sys.stdout.flush()
    secs = time.monotonic() - t0
    print("# soak: %d scenarios, %d records, %d lost, %d duplicated, %d corrupted; "
          "%d pilecon and %d pilesim SIGKILLs; %.1f s; seed %d" % (
              totals["scenarios"], totals["records"], totals["lost"],
              totals["duplicated"], totals["corrupted"], totals["kills_pilecon"],
              totals["kills_pilesim"], secs, base))
    if args.summary:
        print("scenarios, records, lost, duplicated, corrupted")
        print("%d, %d, %d, %d, %d" % (totals["scenarios"], totals["records"],
                                      totals["lost"], totals["duplicated"],
                                      totals["corrupted"]))
    if args.tap:
        print("1..%d" % (args.count + args.reset))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
