#!/usr/bin/env python3
"""Seed 002 in two terminals, as the README tells a new user: the commands
are read from README.md (between its "seed 002: two terminals" markers) and
run as separate `bpfvm` processes on a temporary BPFVM_ROOT. Terminal 1's
runner keeps running prog_entry; terminal 2 loads and pins prog_drop, puts
it into the pinned jmp_table by its pin, and deletes it again.

Checks that the runner's messages switch at the update and back at the
delete, that every run is whole (Enter prog_entry, then Exit prog_entry or
Enter prog_drop), and that every packet is accounted for: the runner's run
count and its per-return-value counts (after Ctrl-C) equal the pinned
chain_counts map (entered, dropped, passed) and the lines it printed.

Then the error paths, in bpftool's words: EEXIST, a map where a program is
expected and the reverse, unknown ids, the owner rule from another process,
and a user who may only read the namespace.

Usage: check_seed002_processes.py BPFVM README OBJ PACKET"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from cli_process import fail, run_bpfvm

BPFVM = README = OBJ = PACKET = ROOT = None


def env():
    return dict(os.environ, BPFVM_ROOT=ROOT)


def bpfvm(*args, code=0, stdout=None, stderr=None, prefix=()):
    """Runs one bpfvm process in the test's root (cli_process.run_bpfvm)."""
    return run_bpfvm(BPFVM, args, env(), code, stdout, stderr, prefix)


def readme_commands():
    """The README's two-terminal lines: (terminal, argv after `bpfvm`).
    $OBJ and $PKT are this build's; the runner's interval is made short."""
    text = open(README).read()
    match = re.search(r"<!-- seed 002: two terminals.*?```sh\n(.*?)```", text, re.S)
    if not match:
        fail("README.md has no seed 002 two-terminal block")
    commands = []
    for line in match.group(1).splitlines():
        terminal = re.search(r"# terminal (\d)", line)
        if not line.startswith("$B ") or not terminal:
            continue
        words = line.split("#", 1)[0].split()[1:]
        words = [OBJ if w == "$OBJ" else PACKET if w == "$PKT" else w for w in words]
        commands.append((int(terminal.group(1)), words))
    if [t for t, _ in commands] != [1, 2, 2, 2] or commands[0][1][0] != "run":
        fail("README's seed 002 block: expected the runner, then 3 commands in terminal 2: %s"
             % commands)
    runner = commands[0][1]
    runner[runner.index("interval") + 1] = "5"
    return runner, [words for _, words in commands[1:]]


class Runner:
    """Terminal 1: `bpfvm run ...` with its standard input kept open, as a
    terminal keeps it; its trace lines collected as they come."""

    def __init__(self, words):
        self.proc = subprocess.Popen([BPFVM] + words, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env())
        self.lines = []
        self.reader = threading.Thread(
            target=lambda: self.lines.extend(iter(self.proc.stderr.readline, "")))
        self.reader.start()

    def messages(self):
        return [l.split("bpf_trace_printk: ", 1)[1].strip() for l in list(self.lines)
                if "bpf_trace_printk: " in l]

    def wait_for(self, text, count, after=0):
        """Until `count` messages `text` after message number `after`."""
        deadline = time.time() + 30
        while self.messages()[after:].count(text) < count:
            if time.time() > deadline or self.proc.poll() is not None:
                self.proc.kill()
                fail("runner: not %d %r" % (count, text), "".join(self.lines))
            time.sleep(0.01)
        return len(self.messages())

    def interrupt(self):
        """Ctrl-C: the runner ends with its summary. Not communicate(),
        which would read stderr too and take lines from the reader."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("runner: still running 30 s after Ctrl-C", "".join(self.lines))
        self.reader.join()
        out = self.proc.stdout.read()
        self.proc.stdin.close()
        if self.proc.returncode != 0:
            fail("runner: exit %d after Ctrl-C" % self.proc.returncode, out + "".join(self.lines))
        return out


def runs_of(messages):
    """Each run as 'exit' or 'drop'; None if a run is not whole."""
    runs, entered = [], False
    for message in messages:
        if message == "Enter prog_entry":
            if entered:
                return None
            entered = True
        elif message in ("Exit prog_entry", "Enter prog_drop"):
            if not entered:
                return None
            runs.append("exit" if message.startswith("Exit") else "drop")
            entered = False
        else:
            return None
    return runs


def counters():
    """chain_counts, read by another process: entered, dropped, passed."""
    values = []
    for key in range(3):
        entry = json.loads(bpfvm("-j", "map", "lookup", "pinned", "chain_counts", "key", key,
                                 0, 0, 0))
        values.append(int.from_bytes(bytes(int(b, 16) for b in entry["value"]), "little"))
    return values


def check_seed_002():
    runner_words, (load, update, delete) = readme_commands()
    runner = Runner(runner_words)
    runner.wait_for("Exit prog_entry", 5)
    bpfvm(*load)
    mark = len(runner.messages())
    bpfvm(*update)
    mark = runner.wait_for("Enter prog_drop", 5, mark)
    bpfvm(*delete)
    runner.wait_for("Exit prog_entry", 5, mark)
    out = runner.interrupt()
    summary = re.search(r"^(\d+) runs, last return value: (\d+)$", out, re.M)
    if not summary or summary.group(2) != "2":
        fail("runner's summary", out)
    total = int(summary.group(1))
    returned = {int(v): int(n) for v, n in re.findall(r"(\d+): (\d+) runs?", out)}
    runs = runs_of(runner.messages())
    if runs is None:
        fail("a run's messages are not whole", "".join(runner.lines))
    # The switch: passes, then drops from some run on, then passes again.
    phases = [r for i, r in enumerate(runs) if i == 0 or runs[i - 1] != r]
    if phases != ["exit", "drop", "exit"]:
        fail("runner's messages: phases %s, expected exit, drop, exit" % phases,
             "".join(runner.lines))
    entered, dropped, passed = counters()
    accounts = {"runs": total, "entered": entered, "printed runs": len(runs),
                "dropped + passed": dropped + passed,
                "returned 1 + 2": returned.get(1, 0) + returned.get(2, 0)}
    if len(set(accounts.values())) != 1:
        fail("packets not accounted for: %s" % accounts, out)
    if (dropped, passed) != (runs.count("drop"), runs.count("exit")) or \
            (dropped, passed) != (returned.get(1, 0), returned.get(2, 0)):
        fail("drops %d / passes %d; printed %d / %d; returned %s"
             % (dropped, passed, runs.count("drop"), runs.count("exit"), returned), out)
    print("ok: %d runs, %d dropped while prog_drop was in jmp_table[0], %d passed"
          % (total, dropped, passed))


def check_listing():
    shown = json.loads(bpfvm("-j", "-f", "prog", "show", "pinned", "prog_drop"))
    if shown["name"] != "prog_drop" or shown["type"] != "xdp" or \
            shown["pinned"] != [os.path.join(ROOT, "prog_drop")]:
        fail("prog show pinned prog_drop: %s" % shown)
    listed = json.loads(bpfvm("-j", "prog", "show"))
    if shown["id"] not in [p["id"] for p in listed]:
        fail("prog show: the namespace's programs lack prog_drop: %s" % listed)
    plain = bpfvm("-f", "prog", "show")
    if "%d: xdp  name prog_drop  tag %s  gpl" % (shown["id"], shown["tag"]) not in plain or \
            "\tpinned %s\n" % os.path.join(ROOT, "prog_drop") not in plain:
        fail("prog show: no plain lines for prog_drop", plain)
    # By id and by pin in other processes; a second pin.
    bpfvm("prog", "pin", "id", shown["id"], "drop_again")
    bpfvm("prog", "run", "pinned", "drop_again", "data_in", PACKET, stdout="Return value: 1,")
    bpfvm("prog", "dump", "xlated", "id", shown["id"], stdout="exit")
    return shown["id"]


def check_errors(drop_id):
    load = ["prog", "load", OBJ, "prog_drop"]
    bpfvm(*load, code=255, stderr="Error: failed to pin program xdp (prog_drop): File exists")
    bpfvm("prog", "pin", "id", drop_id, "prog_drop", code=239,
          stderr="Error: can't pin the object (prog_drop): File exists")
    bpfvm("prog", "pin", "id", drop_id, code=234,
          stderr="Error: 'pin' needs at least 3 arguments, 2 found")
    bpfvm("prog", "show", "pinned", "jmp_table", code=255,
          stderr="Error: incorrect object type: map")
    bpfvm("map", "dump", "pinned", "prog_drop", code=255,
          stderr="Error: incorrect object type: prog")
    bpfvm("map", "update", "pinned", "jmp_table", "key", 0, 0, 0, 0, "value", "pinned",
          "chain_counts", code=255, stderr="Error: incorrect object type: map")
    bpfvm("prog", "show", "id", 999999, code=255,
          stderr="Error: get by id (999999): No such file or directory")
    bpfvm("map", "update", "pinned", "jmp_table", "key", 0, 0, 0, 0, "value", "id", 999999,
          code=255, stderr="Error: get by id (999999): No such file or directory")
    bpfvm("prog", "show", "pinned", "no_such_pin", code=255,
          stderr="Error: bpf obj get (no_such_pin): No such file or directory")
    # loadall pins every program under DIR; a second time, none.
    bpfvm("prog", "loadall", OBJ, "chain")
    if sorted(os.listdir(os.path.join(ROOT, "chain"))) != ["prog_drop", "prog_entry", "prog_tc"]:
        fail("loadall: %s" % os.listdir(os.path.join(ROOT, "chain")))
    bpfvm("prog", "loadall", OBJ, "chain", code=255,
          stderr="Error: failed to pin all programs (chain/prog_drop): File exists")
    # The owner rule across processes: jmp_table belongs to XDP programs.
    bpfvm("map", "update", "pinned", "jmp_table", "key", 1, 0, 0, 0, "value", "pinned",
          "chain/prog_tc", code=255,
          stderr="Error: update failed: Invalid argument (map 'jmp_table': program 'prog_tc'")
    bpfvm("map", "update", "pinned", "jmp_table", "key", 1, 0, 0, 0, "value", "pinned",
          "chain/prog_drop")
    bpfvm("map", "lookup", "pinned", "jmp_table", "key", 1, 0, 0, 0, stdout="value:")
    check_read_only()


def check_read_only():
    """A user who may only read the namespace (root's files, 0644): lookups
    work, updates and pins are refused with bpftool's words."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print("read-only user: not checked (needs root and setpriv)")
        return
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    os.chmod(ROOT, 0o755)
    for pin in ("chain_counts", "prog_drop"):
        os.chmod(os.path.join(ROOT, pin), 0o644)
    bpfvm("map", "lookup", "pinned", "chain_counts", "key", 0, 0, 0, 0, stdout="value:",
          prefix=nobody)
    bpfvm("map", "update", "pinned", "chain_counts", "key", 0, 0, 0, 0, "value", *[0] * 8,
          code=255, stderr="Error: update failed: Operation not permitted", prefix=nobody)
    bpfvm("map", "dump", "pinned", "jmp_table", code=255,
          stderr="Error: bpf obj get (jmp_table): Permission denied", prefix=nobody)
    bpfvm("prog", "pin", "pinned", "prog_drop", "mine", code=255,  # -EPERM: 255 too
          stderr="Error: can't pin the object (mine): ", prefix=nobody)
    bpfvm("prog", "load", OBJ, code=255, stderr="Permission denied", prefix=nobody)


def main():
    global BPFVM, README, OBJ, PACKET, ROOT
    BPFVM, README, OBJ, PACKET = sys.argv[1:5]
    ROOT = tempfile.mkdtemp(prefix="bpfvm_cli_seed002_")
    try:
        check_seed_002()
        drop_id = check_listing()
        check_errors(drop_id)
    finally:
        shutil.rmtree(ROOT, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
