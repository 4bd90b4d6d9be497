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
        self.sim_args = []

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
             "--frozen-clock", "--seed", str(self.seed & 0xFFFFFFFF)] + self.sim_args,
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


class OutageScenario(ResetScenario):
    """Issue 12: one pile without its cloud for weeks, its store filling.
    The kind comes from the seed:

    visits       a technician every K sessions (K below the capacity):
                 logs pull --custody, an export (CSV, JSON Lines or OCMF),
                 `pilesim ctl cloud import` of it; then the link returns and the pile resyncs what it
                 still holds. Target: 0 refused, 0 lost, 0 duplicated.
    no visits    the store fills and stays full: the full policy turns
                 sessions away (refuse) or charges them without a record
                 (unrecorded); the pile's own counters say how many, and
                 every record it did store reaches the cloud once.
    store reset  as visits, with the pile's store reset right after one
                 visit's pull (a replaced controller): the old series
                 reaches the cloud by import only, the new one numbers from
                 1 again, each kept apart by store id.
    carried      as visits, but the exports stay on the laptop until the
                 end, when the operator imports them all (before or after
                 the link returns): the archive carried to the cloud.

    Random kills: pilecon during a visit's pull --custody and export,
    pilesim while a session's record is stored, during a cloud import and
    during the resync uploads. At the end every record each store numbered
    (1..last_seq, the pile's own count) is in the cloud exactly once with
    the CRC the pile showed, and (with visits) in the archive once; the
    refusals match the pile's counters and its capacity."""

    KINDS = ("visits", "no visits", "store reset", "carried")

    def __init__(self, seed, builddir, verbose=False, size="small"):
        ResetScenario.__init__(self, seed, builddir, verbose)
        self.npiles = 1
        self.seen = {1: {}}
        self.acked = {1: set()}
        self.retired = []           # [(store_id, last_seq, {seq: rec})]
        self.kind = self.KINDS[seed % len(self.KINDS)]
        if size == "issue":         # issue 12's numbers: 200, 4 x 150
            self.capacity, self.every, self.visits = 200, 150, 4
        else:
            self.capacity = self.rng.randint(20, 60)
            self.every = self.rng.randint(self.capacity // 2, self.capacity - 2)
            self.visits = self.rng.randint(3, 5)
        self.policy = "refuse"
        if self.kind == "no visits" and self.rng.random() < 0.3:
            self.policy = "unrecorded"
        self.sim_args = ["--record-capacity", str(self.capacity)]
        self.f = {"sessions": 0, "charged": 0, "records": 0, "refused": 0, "unrecorded": 0,
                  "visits": 0, "visit_s": [], "imports": 0, "received": 0,
                  "import_duplicates": 0}
        self.exports = []
        # OCMF names no store id (the cloud matches its lines by content),
        # so it carries no store that was reset.
        self.formats = ["csv", "jsonl"] + ([] if self.kind == "store reset" else ["ocmf"])

    # ---- the outage ---------------------------------------------------------

    def sessions(self, n):
        """n offline card sessions (ctl sessions), one of them sometimes with
        pilesim killed while it stores the record."""
        kill_at = self.rng.randrange(n) if self.rng.random() < 0.3 else None
        done = 0
        while done < n:
            k = n - done if kill_at is None else kill_at - done
            if k > 0:
                out = self.ctl_json("sessions", 1, CARDS[0], k, "--gap",
                                    self.rng.choice([0, 600, 1800, 3600]), "--json")
                for key in ("sessions", "charged", "refused", "unrecorded"):
                    self.f[key] += out[key]
                # "charged" counts the sessions charged without a record too
                self.f["records"] += out["charged"] - out["unrecorded"]
                done += k
                self.note("%d sessions: %d charged, %d refused, %d unrecorded" % (
                    k, out["charged"], out["refused"], out["unrecorded"]))
            if kill_at is not None:
                self.killed_session()
                done += 1
                kill_at = None
        self.snapshot()

    def killed_session(self):
        before = self.status(1)
        self.ctl("swipe", 1, CARDS[0])
        self.f["sessions"] += 1
        st = self.status(1)
        if st["pending"] is None:
            if st["card"]["last_result"] == "store_full":
                self.f["refused"] += 1
            else:
                self.problem("card refused with %s, not store_full" %
                             st["card"]["last_result"])
            return
        self.ctl("plug", 1)
        self.ctl("advance", self.rng.randint(600, 3600))
        self.finish_session(1, kill_sim=True)
        self.finish_session(1)
        after = self.status(1)
        n = after["records"]["last_seq"] - before["records"]["last_seq"]
        u = after["store"]["unrecorded"] - before["store"]["unrecorded"]
        if n + u not in (0, 1):
            self.problem("one session killed mid-store made %d records, %d unrecorded" % (n, u))
        self.f["records"] += n
        self.f["charged"] += n + u
        self.f["unrecorded"] += u
        if n + u == 0:
            # Never stored, so never acknowledged: a session, not a record.
            self.note("the killed session left no record")

    def flap(self):
        """The link comes back for a moment: the pile uploads some records."""
        self.ctl("link", 1, "up")
        time.sleep(self.rng.uniform(0, 0.05))
        self.ctl("link", 1, "down")
        self.note("link up for a moment")

    def visit(self):
        """pull --custody (maybe killed, then run again), then an export."""
        if self.rng.random() < 0.3:
            rc, killed = self.pc_killed("pull", 1, "logs", "pull", "--custody")
            self.note("pull --custody %s" % ("killed" if killed else "exit %s" % rc))
        t0 = time.monotonic()
        rc, out = self.pc(1, "--json", "logs", "pull", "--custody")
        secs = time.monotonic() - t0
        if rc != 0:
            self.problem("visit: logs pull --custody: exit %d: %s" % (rc, out))
            return None
        self.f["visits"] += 1
        self.f["visit_s"].append(secs)
        st = self.status(1)
        if st["store"]["custody_last_seq"] != st["records"]["last_seq"]:
            self.problem("after pull --custody the pile holds custody to #%d of %d" % (
                st["store"]["custody_last_seq"], st["records"]["last_seq"]))
        self.snapshot()
        self.export_n += 1
        fmt = self.rng.choice(self.formats)
        path = os.path.join(self.tmp, "visit-%d.%s" % (self.export_n, fmt))
        if self.rng.random() < 0.3:
            self.pc_killed("export", 1, "logs", "export", "--format", fmt, "-o", path)
        rc, out = self.pc(1, "logs", "export", "--format", fmt, "-o", path)
        if rc != 0:
            self.problem("visit: logs export: exit %d: %s" % (rc, out))
            return None
        self.note("visit %d: pull --custody %.2f s, export %s" % (
            self.f["visits"], secs, fmt))
        return path

    def file_records(self, path):
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if l and not l.startswith("#")]
        return len(lines) - (1 if path.endswith(".csv") else 0)

    def cloud_import(self, path):
        """The operator's import; pilesim sometimes dies during it and the
        import is done again. The cloud's own numbers must add up."""
        if self.rng.random() < 0.25:
            p = subprocess.Popen(self.ctl_argv("cloud", "import", path, "--json"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env=self.env)
            time.sleep(self.rng.uniform(0, 0.03))
            self.kill_sim()
            p.wait(timeout=30)
            self.note("pilesim killed during a cloud import (ctl exit %d)" % p.returncode)
            self.start_sim()
        out = self.ctl_json("cloud", "import", path, "--json")
        want = self.file_records(path)
        self.f["imports"] += 1
        self.f["received"] += out["received"]
        self.f["import_duplicates"] += out["duplicates"]
        if out["records"] != want:
            self.problem("cloud import of %s read %d records, the file holds %d" % (
                path, out["records"], want))
        if out["refused"] != 0:
            self.problem("cloud import of %s refused %d: %s" % (
                path, out["refused"], out["refusals"][:3]))
        if out["received"] + out["duplicates"] + out["refused"] != out["records"]:
            self.problem("cloud import of %s: %d received + %d duplicates + %d "
                         "refused is not %d records" % (path, out["received"],
                                                       out["duplicates"], out["refused"],
                                                       out["records"]))
        self.note("import %s: %d received, %d duplicates" % (
            os.path.basename(path), out["received"], out["duplicates"]))
        return out

    def reset_store(self):
        """A replaced controller, right after the visit's pull."""
        old = self.store_id(1)
        st = self.status(1)
        self.retired.append((old, st["records"]["last_seq"], self.seen[1]))
        self.ctl("store", "reset", 1)
        self.seen[1] = {}
        self.acked[1] = set()
        self.note("store reset after #%d (store id %d)" % (st["records"]["last_seq"], old))

    def outage(self):
        self.ctl("settings", 1, "full-policy", self.policy)
        self.ctl("link", 1, "down")
        if self.kind == "no visits":
            n = self.rng.randint(self.capacity + 5, 3 * self.capacity)
            if self.every == 150:
                n = 600
            self.sessions(n)
            return
        reset_after = self.rng.randint(1, self.visits - 1)
        for v in range(1, self.visits + 1):
            self.sessions(self.every)
            if self.rng.random() < 0.15:
                self.flap()
                self.snapshot()
            path = self.visit()
            if path is None:
                return
            if self.kind == "carried":
                self.exports.append(path)
            else:
                self.cloud_import(path)
            if self.kind == "store reset" and v == reset_after:
                self.reset_store()

    def end(self):
        carried_first = self.rng.random() < 0.5
        if self.kind == "carried" and carried_first:
            for path in self.rng.sample(self.exports, len(self.exports)):
                self.cloud_import(path)
        self.finish_session(1)
        if self.rng.random() < 0.3:
            self.kill_during_uploads(1)
        self.ctl("link", 1, "up")
        rc, out = self.pc(1, "resync", "--wait", "--timeout", "60")
        if rc != 0:
            self.problem("resync after the outage: exit %d: %s" % (rc, out))
        self.snapshot()
        if self.kind == "carried" and not carried_first:
            for path in self.rng.sample(self.exports, len(self.exports)):
                self.cloud_import(path)
        # The laptop's whole archive, once more: the cloud has it all now.
        rc, out = self.pc(1, "logs", "pull")
        if rc != 0:
            self.problem("pull after the outage: exit %d: %s" % (rc, out))
        self.final_export = os.path.join(self.tmp, "final.jsonl")
        rc, out = self.pc(1, "logs", "export", "--format", "jsonl", "-o", self.final_export)
        if rc != 0:
            self.problem("final export: exit %d: %s" % (rc, out))
            return
        out = self.cloud_import(self.final_export)
        if out["received"] != 0:
            self.problem("the archive imported after the resync brought %d records the "
                         "cloud lacked" % out["received"])

    # ---- the end: count against the pile's and the cloud's numbers ---------

    def check_outage(self, totals):
        st = self.status(1)
        serial = "SIM-0001"
        series = self.retired + [(self.store_id(1), st["records"]["last_seq"], self.seen[1])]
        want = {}
        for sid, last, seen in series:
            for seq in range(1, last + 1):
                if seq not in seen:
                    totals["lost"] += 1
                    self.problem("lost: store %d #%d was never seen on the pile" % (sid, seq))
                else:
                    want[(sid, seq)] = seen[seq]["crc"]
        totals["records"] += len(want)
        if st["records"]["unsynced"] != 0:
            self.problem("%d records unsynced after the resync" % st["records"]["unsynced"])

        # Sessions: what the pile charged, refused or left unrecorded.
        f = self.f
        numbered = sum(last for _, last, _ in series)
        if f["records"] != numbered:
            self.problem("the pile numbered %d records, the sessions made %d" % (
                numbered, f["records"]))
        if st["store"]["refused_full"] != f["refused"]:
            self.problem("the pile counts %d sessions refused as full, ctl sessions %d" % (
                st["store"]["refused_full"], f["refused"]))
        if st["store"]["unrecorded"] != f["unrecorded"]:
            self.problem("the pile counts %d unrecorded sessions, ctl sessions %d" % (
                st["store"]["unrecorded"], f["unrecorded"]))
        turned = f["sessions"] - st["store"]["capacity"]
        expect = {"refused": 0, "unrecorded": 0}
        if self.kind == "no visits":
            expect["refused" if self.policy == "refuse" else "unrecorded"] = max(0, turned)
        for k in ("refused", "unrecorded"):
            if f[k] != expect[k]:
                self.problem("%d sessions %s, expected %d (%d sessions, capacity %d)" % (
                    f[k], k, expect[k], f["sessions"], st["store"]["capacity"]))
        totals["o_refused_expected"] += expect["refused"]

        def compare(where, copies):
            count = {}
            for sid, seq, crc in copies:
                count[(sid, seq)] = count.get((sid, seq), 0) + 1
                if (sid, seq) not in want:
                    totals["corrupted"] += 1
                    self.problem("%s holds store %d #%d that no store had" % (where, sid, seq))
                elif want[(sid, seq)] != crc:
                    totals["corrupted"] += 1
                    self.problem("corrupted: %s store %d #%d" % (where, sid, seq))
            lost = dup = 0
            for key in want:
                n = count.get(key, 0)
                if n == 0:
                    lost += 1
                    self.problem("lost: %s lacks store %d #%d" % ((where,) + key))
                elif n > 1:
                    dup += n - 1
                    self.problem("duplicated: %s holds store %d #%d %d times" % (
                        (where,) + key + (n,)))
            totals["lost"] += lost
            totals["duplicated"] += dup
            return lost, dup

        cloud = [r for r in self.ctl_json("cloud", "records", "--json")
                 if r["serial"] == serial]
        def store_of(r):
            """An OCMF line names no store: the cloud keeps it under store 0
            and matches it by content; so does this check."""
            if r["store_id"] != 0:
                return r["store_id"]
            for sid, _, seen in series:
                if want.get((sid, r["seq"])) == r["crc"]:
                    return sid
            return 0
        lost, dup = compare("cloud", [(store_of(r), r["seq"], r["crc"]) for r in cloud])
        totals["o_lost"] += lost
        totals["o_duplicated"] += dup
        if self.kind != "no visits":
            db = sqlite3.connect("file:%s?mode=ro" % self.archive, uri=True, timeout=10)
            try:
                rows = db.execute("SELECT store_id, seq, crc FROM records").fetchall()
            finally:
                db.close()
            compare("archive", rows)
        for k in ("sessions", "charged", "refused", "unrecorded", "visits", "imports",
                  "received", "import_duplicates"):
            totals["o_" + k] += f[k]
        totals["o_visit_s"].extend(f["visit_s"])
        totals["o_scenarios"] += 1

    def run(self, totals):
        os.makedirs(self.data)
        self.start_sim()
        self.ctl("whitelist", 1, "add", CARDS[0])
        self.outage()
        if not self.problems:
            self.end()
            self.check_outage(totals)
        self.stop()

    def name(self):
        return "outage scenario (%s, capacity %d, %s): %d sessions, %d refused, " \
            "%d unrecorded, %d visits" % (
                self.kind, self.capacity, self.policy, self.f["sessions"],
                self.f["refused"], self.f["unrecorded"], self.f["visits"])


def outage_line(t):
    """The outage scenarios' figures, one line bench/soak adds up."""
    v = t["o_visit_s"]
    return ("outage: scenarios %d, sessions %d, charged %d, refused %d (expected %d), "
            "unrecorded %d, lost %d, duplicated %d, visits %d, visit pull+custody "
            "s total %.3f max %.3f, imports %d, received %d, import duplicates %d" % (
                t["o_scenarios"], t["o_sessions"], t["o_charged"], t["o_refused"],
                t["o_refused_expected"], t["o_unrecorded"], t["o_lost"],
                t["o_duplicated"], t["o_visits"], sum(v), max(v) if v else 0.0,
                t["o_imports"], t["o_received"], t["o_import_duplicates"]))


def main():
    ap = argparse.ArgumentParser(description="randomized crash and fault scenarios")
    ap.add_argument("--builddir", default=os.environ.get("top_builddir", "."))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--reset", type=int, default=0,
                    help="then N scenarios where a pile's store is reset between pulls")
    ap.add_argument("--outage", type=int, default=0,
                    help="then N long-outage scenarios (a store that fills, custody, imports)")
    ap.add_argument("--outage-size", choices=("small", "issue"), default="small",
                    help="small: capacity 20-60, a few visits; issue: capacity 200, "
                    "600 sessions, a visit every 150")
    ap.add_argument("--tap", action="store_true", help="one TAP line per scenario")
    ap.add_argument("--summary", action="store_true",
                    help="print the outage line, then "
                    "'scenarios, records, lost, duplicated, corrupted'")
    ap.add_argument("--keep", action="store_true", help="keep failed scenarios' folders")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    base = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    me = os.path.relpath(__file__)
    total = args.count + args.reset + args.outage
    print("# soak: %d scenarios from seed %d" % (total, base), flush=True)
    totals = {"scenarios": 0, "records": 0, "lost": 0, "duplicated": 0, "corrupted": 0,
              "kills_pilecon": 0, "kills_pilesim": 0, "o_visit_s": []}
    for k in ("scenarios", "sessions", "charged", "refused", "refused_expected",
              "unrecorded", "lost", "duplicated", "visits", "imports", "received",
              "import_duplicates"):
        totals["o_" + k] = 0
    failed = 0
    t0 = time.monotonic()
    for i in range(total):
        seed = base + i
        if i < args.count:
            sc = Scenario(seed, args.builddir, args.verbose)
            rerun = "--count 1 --reset 0"
        elif i < args.count + args.reset:
            sc = ResetScenario(seed, args.builddir, args.verbose)
            rerun = "--count 0 --reset 1"
        else:
            sc = OutageScenario(seed, args.builddir, args.verbose, args.outage_size)
            rerun = "--count 0 --outage 1 --outage-size %s" % args.outage_size
        before = dict(totals)
        try:
            sc.run(totals)
        except (Broken, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as e:
            sc.problem("harness: %s: %s" % (type(e).__name__, e))
        totals["scenarios"] += 1
        totals["kills_pilecon"] += sc.kills["pilecon"]
        totals["kills_pilesim"] += sc.kills["pilesim"]
        kills = sc.kills["pilecon"] + sc.kills["pilesim"]
        if isinstance(sc, OutageScenario):
            name = "%s, %d records, %d kills (seed %d)" % (
                sc.name(), totals["records"] - before["records"], kills, seed)
        else:
            name = "%sscenario %d (seed %d): %d piles, %d records, %d steps, %d kills" % (
                "store reset " if isinstance(sc, ResetScenario) else "", i + 1, seed,
                sc.npiles, totals["records"] - before["records"], len(sc.steps), kills)
        if sc.problems:
            failed += 1
            if args.tap:
                print("not ok %d - %s" % (i + 1, name))
            else:
                print("FAILED %s" % name)
            for p in sc.problems[:20]:
                print("#   " + p)
            print("#   steps: " + "; ".join(sc.steps))
            print("#   rerun: %s --builddir %s --seed %d %s -v" % (
                me, args.builddir, seed, rerun))
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
    if args.outage:
        print("# " + outage_line(totals))
    if args.summary:
        print(outage_line(totals))
        print("scenarios, records, lost, duplicated, corrupted")
        print("%d, %d, %d, %d, %d" % (totals["scenarios"], totals["records"],
                                      totals["lost"], totals["duplicated"],
                                      totals["corrupted"]))
    if args.tap:
        print("1..%d" % total)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
