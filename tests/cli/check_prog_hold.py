#!/usr/bin/env python3
"""A pinned program holds its maps, across `bpfvm` processes, as the
kernel's program does across bpftool's (docs/namespace.md, "Programs"):

  1. `prog load` pins only the program of ns_hold_globals.bpf.o (its .data,
     .rodata and hash map are not pinned) and exits; the listing that
     follows keeps its three maps;
  2. `prog run pinned` in other processes runs on the .data that the
     earlier runs left (total 100 + 5 per run), read back by `map dump id`
     and `map lookup id` of the program's map_ids;
  3. `prog show` prints bpftool's `tag`, plain and -j; with bpftool and
     bpffs, the tag is the one the kernel gives the same object;
  4. once the pin is removed, the next listing finds neither the program
     nor its maps.

Usage: check_prog_hold.py BPFVM NS_OBJDIR PACKET"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from cli_process import fail, run_bpfvm

BPFVM = OBJ = PACKET = ROOT = None


def bpfvm(*args, code=0, stdout=None, stderr=None):
    return run_bpfvm(BPFVM, args, dict(os.environ, BPFVM_ROOT=ROOT), code, stdout, stderr)


def maps_by_suffix(map_ids):
    names = {}
    for mid in map_ids:
        shown = json.loads(bpfvm("-j", "map", "show", "id", mid))
        names[shown["name"].split(".")[-1] if "." in shown["name"] else shown["name"]] = mid
    return names


def kernel_tag():
    """The tag bpftool shows for the object loaded into the kernel, or None."""
    if not shutil.which("bpftool") or not os.path.isdir("/sys/fs/bpf"):
        return None
    pin = "/sys/fs/bpf/bpfvm_check_prog_hold_%d" % os.getpid()
    load = subprocess.run(["bpftool", "prog", "load", OBJ, pin], capture_output=True, text=True)
    if load.returncode != 0:
        return None
    try:
        shown = subprocess.run(["bpftool", "-j", "prog", "show", "pinned", pin],
                               capture_output=True, text=True)
        return json.loads(shown.stdout)["tag"]
    finally:
        os.unlink(pin)


def main():
    global BPFVM, OBJ, PACKET, ROOT
    BPFVM, objdir, PACKET = sys.argv[1:4]
    OBJ = os.path.join(objdir, "ns_hold_globals.bpf.o")
    ROOT = tempfile.mkdtemp(prefix="bpfvm_prog_hold_")
    try:
        bpfvm("prog", "load", OBJ, "hold_count")
        shown = json.loads(bpfvm("-j", "prog", "show", "pinned", "hold_count"))
        maps = maps_by_suffix(shown["map_ids"])
        if sorted(maps) != ["data", "hold_hash", "rodata"]:
            fail("the program's maps: %s" % maps)
        if len(json.loads(bpfvm("-j", "map", "show"))) != 3:
            fail("the loader gone, its three unpinned maps must stay")
        for _ in range(2):  # total 100 -> 105 -> 110
            bpfvm("prog", "run", "pinned", "hold_count", "data_in", PACKET,
                  stdout="Return value: 2,")
        value = "%02x 00 00 00 00 00 00 00" % 110
        bpfvm("map", "dump", "id", maps["data"], stdout="value: " + value)
        bpfvm("map", "lookup", "id", maps["hold_hash"], "key", "1", "0", "0", "0",
              stdout="value: " + value)
        tag = shown.get("tag", "")
        if len(tag) != 16 or any(c not in "0123456789abcdef" for c in tag):
            fail("prog show -j: tag %r" % tag)
        bpfvm("prog", "show", stdout="%d: xdp  name hold_count  tag %s  gpl\n" % (shown["id"], tag))
        theirs = kernel_tag()
        if theirs is None:
            print("SKIP the kernel's tag: no bpftool, bpffs or bpf()")
        elif theirs != tag:
            fail("tag %s, the kernel's %s" % (tag, theirs))
        os.unlink(os.path.join(ROOT, "hold_count"))
        if json.loads(bpfvm("-j", "prog", "show")) or json.loads(bpfvm("-j", "map", "show")):
            fail("unpinned: the program and its maps must go",
                 bpfvm("prog", "show") + bpfvm("map", "show"))
    finally:
        shutil.rmtree(ROOT, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
