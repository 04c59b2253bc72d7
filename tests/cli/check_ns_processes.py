#!/usr/bin/env python3
"""The CLI on bpfvm's namespace: several `bpfvm` processes against one
temporary BPFVM_ROOT share maps by pin and by id, as bpftool's processes
share the kernel's.

  1. map create / pin / update / lookup / dump / getnext / delete / push /
     pop / peek / freeze from processes other than the creator's, `map show`
     of the namespace (plain, -j, -f), and bpftool's words on refusals.
  2. Seed 004: `prog load` of a tc object (pinned) with pinmaps in one process, a
     cgroup_skb object reusing its map (`map name flows pinned P`) in
     another: the same id in `map show`, and each `prog run` sees the
     other's writes. Maps declared LIBBPF_PIN_BY_NAME go to the root.
  3. `bpfvm run` with `map name verdict pinned P`: another process's `map
     update pinned P` changes the running program's return value.

Usage: check_ns_processes.py BPFVM CLI_OBJDIR NS_OBJDIR PACKET"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from cli_process import fail, run_bpfvm

BPFVM = OBJ = NS_OBJ = PACKET = ROOT = None


def bpfvm(*args, code=0, stdout=None, stderr=None):
    """Runs one bpfvm process in the test's root (cli_process.run_bpfvm)."""
    return run_bpfvm(BPFVM, args, dict(os.environ, BPFVM_ROOT=ROOT), code, stdout, stderr)


def map_ids(*ref):
    return json.loads(bpfvm("-j", "map", "show", *ref))


def check_map_commands():
    bpfvm("map", "create", "hash1", "type", "hash", "key", "4", "value", "8", "entries", "4",
          "name", "hash1")
    # bpftool's words and exit codes (EEXIST: 239) on refusals.
    bpfvm("map", "create", "hash1", "type", "hash", "key", "4", "value", "8", "entries", "4",
          "name", "hash1", code=239, stderr="Error: can't pin the object (hash1): File exists")
    bpfvm("map", "create", "x", "type", "nosuch", "key", "4", "value", "8", "entries", "4",
          "name", "x", code=255, stderr="Error: unrecognized map type: nosuch")
    bpfvm("map", "create", "x", "type", "hash", "key", "4", "value", "8", "entries", "4",
          code=255, stderr="Error: map name not specified")
    bpfvm("map", "create", "x", "type", "hash", "key", "4", "value", "8", "entries", "0",
          "name", "x", code=255, stderr="Error: map create failed: Invalid argument")
    bpfvm("map", "dump", "pinned", "nope", code=255,
          stderr="Error: bpf obj get (nope): No such file or directory")
    bpfvm("map", "dump", "id", "999", code=255,
          stderr="Error: get map by id (999): No such file or directory")
    # Another process updates, reads and walks the map, by pin and by id.
    mid = map_ids("pinned", "hash1")["id"]
    bpfvm("map", "update", "pinned", "hash1", "key", "1", "0", "0", "0", "value",
          *"1 2 3 4 5 6 7 8".split())
    bpfvm("map", "update", "id", mid, "key", "2", "0", "0", "0", "value", *["0"] * 8,
          "noexist")
    bpfvm("map", "update", "id", mid, "key", "2", "0", "0", "0", "value", *["0"] * 8,
          "noexist", code=255, stderr="Error: update failed: File exists")
    bpfvm("map", "lookup", "id", mid, "key", "1", "0", "0", "0",
          stdout="key: 01 00 00 00  value: 01 02 03 04 05 06 07 08")
    bpfvm("map", "getnext", "pinned", "hash1", stdout="next key:")
    bpfvm("map", "delete", "pinned", "hash1", "key", "2", "0", "0", "0")
    bpfvm("map", "lookup", "pinned", "hash1", "key", "2", "0", "0", "0", code=254,
          stdout="Not found")
    if "Found 1 element" not in bpfvm("map", "dump", "pinned", "hash1"):
        fail("dump after delete: not one element")
    # A second pin, shown with -f; the pin into a missing directory refused.
    bpfvm("map", "pin", "id", mid, "hash1_again")
    shown = map_ids("id", mid)
    if shown["name"] != "hash1" or shown["type"] != "hash" or shown["bytes_value"] != 8:
        fail("map show: %s" % shown)
    pins = json.loads(bpfvm("-j", "-f", "map", "show", "pinned", "hash1"))["pinned"]
    if sorted(pins) != [os.path.join(ROOT, "hash1"), os.path.join(ROOT, "hash1_again")]:
        fail("pinned: %s" % pins)
    bpfvm("map", "pin", "id", mid, "hash1", code=239,
          stderr="Error: can't pin the object (hash1): File exists")
    bpfvm("map", "pin", "pinned", "hash1", "no/dir", code=255,
          stderr="Error: can't pin the object (no/dir): No such file or directory")
    # A queue: push, peek, pop by other processes; freeze holds across them.
    bpfvm("map", "create", "q", "type", "queue", "key", "0", "value", "4", "entries", "4",
          "name", "q")
    bpfvm("map", "push", "pinned", "q", "value", "1", "0", "0", "0")
    bpfvm("map", "enqueue", "pinned", "q", "value", "2", "0", "0", "0")
    bpfvm("map", "peek", "pinned", "q", stdout="value: 01 00 00 00")
    bpfvm("map", "pop", "pinned", "q", stdout="value: 01 00 00 00")
    bpfvm("map", "dequeue", "pinned", "q", stdout="value: 02 00 00 00")
    bpfvm("map", "pop", "pinned", "q", code=254, stderr="Error: empty map")
    bpfvm("map", "freeze", "pinned", "q")
    bpfvm("map", "push", "pinned", "q", "value", "3", "0", "0", "0", code=255,
          stderr="Error: update failed: Operation not permitted")
    # The namespace's list: both maps, plain and -j.
    listed = {m["name"]: m["id"] for m in map_ids()}
    if listed.get("hash1") != mid or "q" not in listed:
        fail("map show of the namespace: %s" % listed)
    if "%d: hash  name hash1  flags 0x0" % mid not in bpfvm("map", "show"):
        fail("map show: no plain line for hash1")


def check_seed_004():
    tc, cg = os.path.join(OBJ, "cli_ns_tc.bpf.o"), os.path.join(OBJ, "cli_ns_cgroup.bpf.o")
    os.mkdir(os.path.join(ROOT, "progs"))
    # The program pinned at PATH, the maps in the pinmaps directory.
    bpfvm("prog", "load", tc, "progs/tc", "pinmaps", "tc")
    if json.loads(bpfvm("-j", "prog", "show", "pinned", "progs/tc"))["type"] != "sched_cls":
        fail("prog show pinned progs/tc: not the tc program")
    tc_id = map_ids("pinned", "tc/flows")["id"]
    bpfvm("prog", "load", cg, "map", "name", "flows", "pinned", "tc/flows", "pinmaps", "cg")
    if map_ids("pinned", "cg/flows")["id"] != tc_id:
        fail("the cgroup object's flows is not the tc object's map")
    if [m["id"] for m in map_ids() if m["name"] == "flows"] != [tc_id]:
        fail("more than one map called flows: %s" % map_ids())
    # Each program's run sees the other's writes (tc returns the count it found).
    bpfvm("prog", "run", tc, "map", "name", "flows", "pinned", "tc/flows", "data_in", PACKET,
          stdout="Return value: 0,")
    bpfvm("prog", "run", cg, "map", "idx", "0", "id", tc_id, "data_in", PACKET,
          stdout="Return value: 1,")
    bpfvm("prog", "run", tc, "map", "name", "flows", "pinned", "cg/flows", "data_in", PACKET,
          stdout="Return value: 101,")
    bpfvm("map", "lookup", "pinned", "tc/flows", "key", "0", "0", "0", "0",
          stdout="value: 66 00 00 00 00 00 00 00")
    # bpftool's refusals of a reuse.
    bpfvm("prog", "load", cg, "map", "name", "nope", "pinned", "tc/flows", code=255,
          stderr="Error: unable to find map 'nope'")
    bpfvm("prog", "load", cg, "map", "idx", "5", "pinned", "tc/flows", code=255,
          stderr="Error: map idx '5' not used")
    bpfvm("prog", "load", cg, "map", "name", "flows", "pinned", "q", code=255,
          stderr="parameter mismatch")
    bpfvm("prog", "load", cg, "pinmaps", "cg", code=255, stderr="failed to pin all maps")
    bpfvm("prog", "load", cg, "type", "xdp", code=255,
          stderr="bpfvm takes the program type from the section")
    bpfvm("prog", "loadall", cg, "progs/all")
    if not os.listdir(os.path.join(ROOT, "progs/all")):
        fail("loadall pinned no program in progs/all")
    # LIBBPF_PIN_BY_NAME: reused from, or pinned at, the namespace's root.
    ns_tc = os.path.join(NS_OBJ, "ns_tc_counter.bpf.o")
    ns_cg = os.path.join(NS_OBJ, "ns_cgroup_counter.bpf.o")
    bpfvm("prog", "run", ns_tc, "data_in", PACKET)
    bpfvm("prog", "run", ns_cg, "data_in", PACKET)
    bpfvm("prog", "run", ns_tc, "data_in", PACKET)
    bpfvm("map", "lookup", "pinned", os.path.join(ROOT, "shared_counts"),
          "key", "0", "0", "0", "0", stdout="value: 66 00 00 00 00 00 00 00")


def check_runner():
    """A runner keeps xdp_verdict running with the pinned verdict map; this
    process changes the verdict from 1 to 2 with another bpfvm process."""
    bpfvm("map", "create", "verdict", "type", "array", "key", "4", "value", "4", "entries",
          "1", "name", "verdict")
    bpfvm("map", "update", "pinned", "verdict", "key", "0", "0", "0", "0", "value", "1", "0",
          "0", "0")
    runner = subprocess.Popen([BPFVM, "run", "name", "xdp_verdict", "of",
                               os.path.join(OBJ, "cli_ns_verdict.bpf.o"), "data_in", PACKET,
                               "interval", "5", "map", "name", "verdict", "pinned", "verdict"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, BPFVM_ROOT=ROOT))
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(runner.stderr.readline, "")))
    reader.start()

    def wait_for(text, count):
        deadline = time.time() + 30
        while sum(text in l for l in list(lines)) < count:
            if time.time() > deadline or runner.poll() is not None:
                runner.kill()
                fail("runner: no %d lines with %r" % (count, text), "".join(lines))
            time.sleep(0.01)

    wait_for("verdict=1", 3)
    bpfvm("map", "update", "pinned", "verdict", "key", "0", "0", "0", "0", "value", "2", "0",
          "0", "0")
    wait_for("verdict=2", 3)
    out, _ = runner.communicate("quit\n", timeout=30)
    reader.join()
    if runner.returncode != 0 or "last return value: 2" not in out:
        fail("runner: exit %d" % runner.returncode, out + "".join(lines))
    after = "".join(lines).split("verdict=2", 1)[1]
    if "verdict=1" in after:
        fail("runner: verdict 1 after 2", "".join(lines))


def main():
    global BPFVM, OBJ, NS_OBJ, PACKET, ROOT
    BPFVM, OBJ, NS_OBJ, PACKET = sys.argv[1:5]
    ROOT = tempfile.mkdtemp(prefix="bpfvm_cli_ns_")
    try:
        check_map_commands()
        check_seed_004()
        check_runner()
    finally:
        shutil.rmtree(ROOT, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
