#!/usr/bin/env python3
"""`bpfvm map event_pipe MAP` as bpftool's: one process reads a pinned perf
event array while `prog run` processes write to it, prints each record as
bpftool does (plain and -j) until SIGINT, then closes the buffers (outputs
are -ENOENT again). Refusals in bpftool's words.

Usage: check_event_pipe.py BPFVM NS_OBJDIR"""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

from cli_process import fail, run_bpfvm

BPFVM = ROOT = REQUEST = None
ENOENT_RETVAL = "Return value: %d" % (2**32 - 2)


def bpfvm(*args, code=0, stdout=None, stderr=None):
    return run_bpfvm(BPFVM, args, dict(os.environ, BPFVM_ROOT=ROOT), code, stdout, stderr)


def run_output():
    """One run of perf_output: whether bpf_perf_event_output returned 0."""
    out = bpfvm("prog", "run", "pinned", "progs/perf_output", "data_in", REQUEST)
    return "Return value: 0," in out


def event_pipe(*options):
    """Starts a reader, writes until it takes records and 3 more, stops it
    with SIGINT; returns (records written, its stdout)."""
    reader = subprocess.Popen([BPFVM] + list(options) + ["map", "event_pipe", "pinned",
                                                         "perf_events"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, BPFVM_ROOT=ROOT))
    written, deadline = 0, time.time() + 20
    while not run_output():
        if time.time() > deadline or reader.poll() is not None:
            reader.kill()
            fail("the reader never opened the buffers", reader.communicate()[1])
        time.sleep(0.05)
    written = 1
    for _ in range(3):
        written += run_output()
    time.sleep(0.3)
    reader.send_signal(signal.SIGINT)
    out, err = reader.communicate(timeout=20)
    if reader.returncode != 0:
        fail("event_pipe exited with %d" % reader.returncode, err)
    return written, out


def main():
    global BPFVM, ROOT, REQUEST
    BPFVM, ns_objdir = sys.argv[1], sys.argv[2]
    ROOT = tempfile.mkdtemp(prefix="bpfvm_event_pipe_")
    try:
        REQUEST = os.path.join(ROOT, "request.bin")
        with open(REQUEST, "wb") as f:
            f.write(struct.pack("<IIII", 3, 7, 0, 0) + bytes(48))
        bpfvm("prog", "loadall", os.path.join(ns_objdir, "ns_ring.bpf.o"), "progs")
        if not ENOENT_RETVAL in bpfvm("prog", "run", "pinned", "progs/perf_output", "data_in",
                                      REQUEST):
            fail("an output without a reader is not -ENOENT")

        written, out = event_pipe()
        headers = re.findall(r"^== @\d+\.\d{9} CPU: (\d+) index: (\d+) =====$", out, re.M)
        if len(headers) != written or any(cpu != index for cpu, index in headers):
            fail("%d records written, %d printed" % (written, len(headers)), out)
        if out.count("03 00 00 00 07 00 00 00  00 07 00 00 00 03 00 00") != written:
            fail("the records' bytes are not bpftool's hex lines", out)
        if not ENOENT_RETVAL in bpfvm("prog", "run", "pinned", "progs/perf_output", "data_in",
                                      REQUEST):
            fail("the reader did not close the buffers when it stopped")

        written, out = event_pipe("-j")
        records = json.loads(out)
        if len(records) != written or any(r["type"] != 9 or r["cpu"] != r["index"] or
                                          r["data"][:8] != [3, 0, 0, 0, 7, 0, 0, 0]
                                          for r in records):
            fail("-j: %d records written, printed: %s" % (written, out))

        bpfvm("map", "event_pipe", "pinned", "events", code=255,
              stderr="Error: map is not a perf event array")
        bpfvm("map", "event_pipe", "pinned", "perf_events", "cpu", "1", code=255,
              stderr="Error: cpu and index must be specified together")
    finally:
        shutil.rmtree(ROOT, ignore_errors=True)


main()
