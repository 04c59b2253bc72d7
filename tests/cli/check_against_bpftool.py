#!/usr/bin/env python3
"""The CLI against bpftool: the same object loaded in the kernel (bpftool prog
loadall) and by bpfvm, every map dumped right after loading, by both tools, in
-j, -p and plain output, and `map show -j` field by field (ids aside). Needs
root, bpftool and bpffs; without them it says SKIP and exits 77. Every pin it
makes is removed.

Usage: check_against_bpftool.py BPFVM OBJ..."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

# ctest's timeout (and a stopped CI run) ends a test with SIGTERM: leave
# through the finally blocks, so that the pins under /sys/fs/bpf go too.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

BPFFS = "/sys/fs/bpf"
# Map types whose contents are the kernel's own objects (program ids, perf
# event fds, ring buffer pages): their dumps cannot agree byte for byte.
NOT_COMPARED = {"prog_array", "perf_event_array", "ringbuf", "array_of_maps",
                "hash_of_maps", "devmap", "devmap_hash", "sockmap", "sockhash",
                "queue", "stack"}
SHOW_FIELDS = ["type", "name", "flags", "bytes_key", "bytes_value", "max_entries"]
# bpftool 7.1's libbpf (1.1) makes every global data map BPF_F_MMAPABLE;
# newer libbpf, and bpfvm, only those whose section has a global variable.
BPF_F_MMAPABLE = 0x400


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def skip(reason):
    print("SKIP " + reason)
    sys.exit(77)


def kernel_maps(pin_dir):
    """{name: id} of the maps the programs pinned in pin_dir use."""
    maps = {}
    for prog in os.listdir(pin_dir):
        code, out, err = run(["bpftool", "-j", "prog", "show", "pinned",
                              os.path.join(pin_dir, prog)])
        if code:
            sys.exit("FAIL bpftool prog show: " + err)
        for map_id in json.loads(out).get("map_ids", []):
            code, out, _ = run(["bpftool", "-j", "map", "show", "id", str(map_id)])
            info = json.loads(out)
            maps[info["name"]] = info
    return maps


def compare_map(cli, obj, info, failures):
    name, map_id = info["name"], str(info["id"])
    _, vm_show, err = run([cli, "-j", "map", "show", "name", name, "of", obj])
    try:
        vm_info = json.loads(vm_show)
    except ValueError:
        failures.append("%s: bpfvm map show: %s%s" % (name, vm_show, err))
        return
    for field in SHOW_FIELDS:
        kernel, vm = info.get(field), vm_info.get(field)
        if field == "flags" and "." in name and isinstance(vm, int):
            kernel, vm = kernel & ~BPF_F_MMAPABLE, vm & ~BPF_F_MMAPABLE
        if vm != kernel:
            failures.append("%s: map show %s: kernel %r, bpfvm %r"
                            % (name, field, kernel, vm))
    if info["type"] in NOT_COMPARED:
        return
    for option in ["-j", "-p", None]:
        options = [option] if option else []
        k_code, k_out, k_err = run(["bpftool"] + options + ["map", "dump", "id", map_id])
        v_code, v_out, v_err = run([cli] + options + ["map", "dump", "name", name,
                                                      "of", obj])
        if (k_code, k_out) != (v_code, v_out):
            failures.append("%s: map dump %s differs:\n  kernel (exit %d):\n%s%s\n"
                            "  bpfvm (exit %d):\n%s%s"
                            % (name, option or "(plain)", k_code, k_out, k_err,
                               v_code, v_out, v_err))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: check_against_bpftool.py BPFVM OBJ...")
    cli, objects = sys.argv[1], sys.argv[2:]
    if os.geteuid() != 0:
        skip("needs root for the kernel's bpf()")
    if not shutil.which("bpftool"):
        skip("bpftool is not installed")
    if not os.path.ismount(BPFFS):
        skip(BPFFS + " is not mounted")
    failures, compared = [], 0
    root = tempfile.mkdtemp(prefix="bpfvm-cli-", dir=BPFFS)
    try:
        for i, obj in enumerate(objects):
            pin_dir = os.path.join(root, str(i))
            code, _, err = run(["bpftool", "prog", "loadall", obj, pin_dir])
            if code:
                skip("the kernel refuses %s: %s" % (obj, err.strip().splitlines()[-1:]))
            for info in kernel_maps(pin_dir).values():
                compare_map(cli, obj, info, failures)
                compared += 1
            shutil.rmtree(pin_dir)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for failure in failures:
        print("FAIL " + failure)
    if failures:
        sys.exit(1)
    print("%d maps of %d objects: bpftool and bpfvm agree" % (compared, len(objects)))


main()
