#!/usr/bin/env python3
"""Differential test, as issue 3 will be judged: every case of cases.txt runs
through the kernel (bpftool prog loadall + bpftool prog run) and through
`bpfvm prog run` with the same data_in / ctx_in / repeat, and the printed
return values, the data_out bytes and the ctx_out bytes must agree.

    judge_diff.py BPFVM_CLI OBJDIR CASES [CASE_NAME_SUBSTRING]

A case line (cases.txt) is a list of words:
    NAME obj=OBJ prog=PROG [data=PACKET] [ctx=SPEC] [repeat=N]
         [expect=kernel_rejects] [xfail=REASON]
  obj      OBJDIR/OBJ.bpf.o
  data     a packet built by packets.py (packets.PACKETS[name])
  ctx      skb:mark=N,priority=N,cb0..cb4=N,...  (a struct __sk_buff)
           rawtp:A0,A1,...                       (u64 arguments)
  expect=kernel_rejects   the kernel's verifier refuses the object; the
                          case records what bpfvm does (issue 5 brings the
                          full verifier) and never fails.
  xfail=REASON            a known disagreement, reported, not failed.

Exits 77 (SKIP) when bpftool or bpf() is not usable. Every pin made under
/sys/fs/bpf is removed, also on failure."""
import ctypes
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import packets  # noqa: E402

# ctest's timeout (and a stopped CI run) ends a test with SIGTERM: leave
# through the finally blocks, so that the pins under /sys/fs/bpf go too.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

SKIP = 77
SYS_BPF = 321  # x86-64
BPF_OBJ_GET = 7
BPF_PROG_TEST_RUN = 10
ATTR_SIZE = 128
BPFFS = "/sys/fs/bpf"
RETVAL = re.compile(r"Return value: (-?\d+)")

SKB_SIZE = 192
SKB_FIELDS = {  # offsetof(struct __sk_buff, field), 4 bytes each
    "mark": 8, "priority": 32, "ingress_ifindex": 36, "ifindex": 40,
    "cb0": 48, "cb1": 52, "cb2": 56, "cb3": 60, "cb4": 64,
    "wire_len": 160, "gso_segs": 164, "gso_size": 176,
}


def parse_cases(path):
    cases = []
    with open(path) as f:
        pending = ""
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if raw[0].isspace() and pending:
                pending += " " + line.strip()
                continue
            if pending:
                cases.append(pending)
            pending = line.strip()
        if pending:
            cases.append(pending)
    parsed = []
    for text in cases:
        words = text.split()
        case = {"name": words[0], "repeat": "1"}
        for w in words[1:]:
            key, _, value = w.partition("=")
            case[key] = value
        parsed.append(case)
    return parsed


def build_ctx(spec):
    kind, _, rest = spec.partition(":")
    if kind == "skb":
        buf = bytearray(SKB_SIZE)
        for item in filter(None, rest.split(",")):
            key, _, value = item.partition("=")
            struct.pack_into("<I", buf, SKB_FIELDS[key], int(value, 0))
        return bytes(buf)
    if kind == "rawtp":
        return b"".join(struct.pack("<Q", int(v, 0) & (2**64 - 1))
                        for v in rest.split(","))
    raise ValueError("unknown ctx spec " + spec)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def run_args(case, work, side):
    args = []
    if "data" in case:
        args += ["data_in", os.path.join(work, "data_in"),
                 "data_out", os.path.join(work, side + ".data_out")]
    if "ctx" in case:
        args += ["ctx_in", os.path.join(work, "ctx_in")]
        if not case["ctx"].startswith("rawtp:"):
            args += ["ctx_out", os.path.join(work, side + ".ctx_out")]
    if case["repeat"] != "1":
        args += ["repeat", case["repeat"]]
    return args


def read_outputs(case, work, side, stdout):
    m = RETVAL.search(stdout)
    result = {"retval": m.group(1) if m else None}
    for what in ("data_out", "ctx_out"):
        path = os.path.join(work, side + "." + what)
        result[what] = open(path, "rb").read() if os.path.exists(path) else None
    return result


def kernel_run(case, obj, work, pin_dir):
    # Maps are pinned too: a PROG_ARRAY loses its slots when its last user
    # reference goes away, which would be when bpftool exits.
    code, out, err = run(["bpftool", "prog", "loadall", obj, pin_dir,
                          "pinmaps", os.path.join(pin_dir, "maps")])
    try:
        if code != 0:
            return None, "load failed: " + verifier_reason(obj, pin_dir)
        pin = os.path.join(pin_dir, case["prog"])
        if case.get("ctx", "").startswith("rawtp:"):
            return kernel_run_raw_tp(pin, work)
        code, out, err = run(["bpftool", "prog", "run", "pinned", pin]
                             + run_args(case, work, "kernel"))
        if code != 0:
            return None, "run failed: " + last_lines(err)
        return read_outputs(case, work, "kernel", out), None
    finally:
        shutil.rmtree(pin_dir, ignore_errors=True)


def verifier_reason(obj, pin_dir):
    """The verifier's last words, from libbpf's debug output."""
    shutil.rmtree(pin_dir, ignore_errors=True)
    _, _, err = run(["bpftool", "-d", "prog", "loadall", obj, pin_dir])
    lines = err.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("verification time") and i > 0:
            return lines[i - 1].strip()
    return last_lines(err)


def bpf_syscall(cmd, attr):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    ret = libc.syscall(ctypes.c_long(SYS_BPF), ctypes.c_long(cmd), buf, ctypes.c_uint(len(attr)))
    return ret, ctypes.get_errno(), buf.raw


def kernel_run_raw_tp(pin, work):
    """bpftool 7.1 always asks for ctx_out and repeat 1, which Linux refuses
    for raw tracepoints: run these as libbpf's bpf_prog_test_run_opts() does,
    with ctx_in only."""
    path = ctypes.create_string_buffer(pin.encode())
    attr = struct.pack("<QII", ctypes.addressof(path), 0, 0).ljust(ATTR_SIZE, b"\0")
    fd, errno_, _ = bpf_syscall(BPF_OBJ_GET, attr)
    if fd < 0:
        return None, "BPF_OBJ_GET: " + os.strerror(errno_)
    try:
        ctx = open(os.path.join(work, "ctx_in"), "rb").read()
        ctx_buf = ctypes.create_string_buffer(ctx, len(ctx))
        # union bpf_attr.test: prog_fd, retval, data_size_in, data_size_out,
        # data_in, data_out, repeat, duration, ctx_size_in, ctx_size_out,
        # ctx_in, ctx_out, flags, cpu, batch_size
        attr = struct.pack("<IIIIQQIIIIQQIII", fd, 0, 0, 0, 0, 0, 0, 0, len(ctx), 0,
                           ctypes.addressof(ctx_buf), 0, 0, 0, 0).ljust(ATTR_SIZE, b"\0")
        ret, errno_, out = bpf_syscall(BPF_PROG_TEST_RUN, attr)
        if ret < 0:
            return None, "run failed: BPF_PROG_TEST_RUN: " + os.strerror(errno_)
        retval = struct.unpack_from("<I", out, 4)[0]
        return {"retval": str(retval), "data_out": None, "ctx_out": None}, None
    finally:
        os.close(fd)


def bpfvm_run(case, cli, obj, work):
    code, out, err = run([cli, "prog", "run", obj, "name", case["prog"]]
                         + run_args(case, work, "bpfvm"))
    if code != 0:
        return None, "exit %d: %s" % (code, last_lines(err))
    return read_outputs(case, work, "bpfvm", out), None


def last_lines(text, n=3):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:])


def show_bytes(data):
    if data is None:
        return "none"
    return "%d bytes %s" % (len(data), data.hex())


def compare(kernel, vm):
    diffs = []
    if kernel["retval"] != vm["retval"]:
        diffs.append("retval kernel %s bpfvm %s" % (kernel["retval"], vm["retval"]))
    for what in ("data_out", "ctx_out"):
        if kernel[what] != vm[what]:
            diffs.append("%s differs:\n      kernel %s\n      bpfvm  %s"
                         % (what, show_bytes(kernel[what]), show_bytes(vm[what])))
    return diffs


def kernel_usable():
    if shutil.which("bpftool") is None:
        return "bpftool not found"
    if os.geteuid() != 0:
        return "not root: bpf() needs CAP_BPF"
    if not os.path.ismount(BPFFS):
        code, _, err = run(["mount", "-t", "bpf", "bpf", BPFFS])
        if code != 0:
            return "cannot mount bpffs: " + err.strip()
    return None


def main():
    if len(sys.argv) < 4:
        print("usage: judge_diff.py BPFVM_CLI OBJDIR CASES [FILTER]", file=sys.stderr)
        return 2
    cli, objdir, cases_path = sys.argv[1:4]
    only = sys.argv[4] if len(sys.argv) > 4 else None
    why = kernel_usable()
    if why:
        print("SKIP: " + why)
        return SKIP

    cases = [c for c in parse_cases(cases_path) if not only or only in c["name"]]
    root = tempfile.mkdtemp(prefix="bpfvm-judge-", dir=BPFFS)
    tally = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0, "INFO": 0}
    probe_failed = False
    try:
        for i, case in enumerate(cases):
            obj = os.path.join(objdir, case["obj"] + ".bpf.o")
            with tempfile.TemporaryDirectory(prefix="bpfvm-judge-") as work:
                if "data" in case:
                    with open(os.path.join(work, "data_in"), "wb") as f:
                        f.write(packets.PACKETS[case["data"]]())
                if "ctx" in case:
                    with open(os.path.join(work, "ctx_in"), "wb") as f:
                        f.write(build_ctx(case["ctx"]))
                kernel, kerr = kernel_run(case, obj, work, os.path.join(root, str(i)))
                vm, verr = bpfvm_run(case, cli, obj, work)
            status, detail = judge(case, kernel, kerr, vm, verr)
            if i == 0 and kerr and "Operation not permitted" in kerr:
                probe_failed = True
                break
            tally[status] += 1
            print("%-5s %s (%s/%s)%s" % (status, case["name"], case["obj"], case["prog"],
                                         detail))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if probe_failed:
        print("SKIP: bpf() is not permitted here")
        return SKIP
    print("\n" + ", ".join("%d %s" % (n, k) for k, n in tally.items()))
    return 1 if tally["FAIL"] or tally["XPASS"] else 0


def judge(case, kernel, kerr, vm, verr):
    if case.get("expect") == "kernel_rejects":
        if kernel is not None:
            return "FAIL", ": the kernel accepted a program expected to be refused"
        return "INFO", ("\n      kernel: %s\n      bpfvm:  %s"
                        % (kerr, verr or "accepted, Return value %s" % vm["retval"]))
    if kernel is None and kerr.startswith("run failed") and vm is None:
        return "PASS", " both refuse the run:\n      kernel: %s\n      bpfvm:  %s" % (kerr, verr)
    if kernel is None and kerr.startswith("run failed"):
        diffs = ["the kernel refuses the run (%s), bpfvm returns %s" % (kerr, vm["retval"])]
    elif kernel is None:
        return "FAIL", ": kernel " + kerr
    elif vm is None:
        diffs = ["bpfvm " + verr]
    else:
        diffs = compare(kernel, vm)
    if "xfail" in case:
        if diffs:
            return "XFAIL", " [%s]: %s" % (case["xfail"], "; ".join(diffs))
        return "XPASS", ": agrees now; drop xfail=" + case["xfail"]
    if diffs:
        return "FAIL", ":\n    " + "\n    ".join(diffs)
    return "PASS", ""


if __name__ == "__main__":
    sys.exit(main())
