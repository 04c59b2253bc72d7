#!/usr/bin/env python3
"""`bpfvm run`: seed 002's session, live. The runner keeps running XDP
prog_entry (which emits "Enter prog_entry", tail-calls jmp_table[0], and emits
"Exit prog_entry" when that falls through) while commands on standard input put
prog_drop into slot 0 and take it out again. Checks that every run is whole
(Enter prog_entry, then Exit prog_entry or Enter prog_drop), that the phases
follow the commands, and that a bad command is reported and the session goes on.

Usage: check_run_session.py BPFVM OBJ PACKET"""
import re
import subprocess
import sys

# `wait N` counts runs that end after the command, one of which may have
# begun before it: 4 leaves 3 runs wholly after each change.
COMMANDS = """wait 3
map update name jmp_table key 0 0 0 0 value name prog_drop
wait 4
map update name jmp_table key 99 0 0 0 value name prog_drop
map update name jmp_table key 0 0 0 0 value name no_such_prog
map update name jmp_table key 0 0 0 0 value name prog_drop noexist
map delete name jmp_table key 0 0 0 0
wait 4
map delete name jmp_table key 0 0 0 0
frobnicate
quit
"""


def fail(message, output):
    sys.stderr.write(output)
    sys.exit("FAIL: " + message)


def runs_of(lines):
    """The runs between two command echoes, as 'exit' or 'drop'. A strings
    line may also show printable bytes of the event's timestamp."""
    runs, pending = [], False
    for line in lines:
        if not line.startswith("strings: "):
            continue
        if '"Enter prog_entry"' in line:
            if pending:
                return None
            pending = True
        elif '"Exit prog_entry"' in line or '"Enter prog_drop"' in line:
            if not pending:
                return None
            runs.append("exit" if "Exit" in line else "drop")
            pending = False
    return runs if not pending else None


def main():
    bpfvm, obj, packet = sys.argv[1:4]
    proc = subprocess.run([bpfvm, "run", obj, "name", "prog_entry", "data_in", packet,
                           "interval", "0"], input=COMMANDS, capture_output=True,
                          text=True, timeout=120)
    out, err = proc.stdout, proc.stderr
    if proc.returncode != 0:
        fail("exit code %d" % proc.returncode, out + err)
    lines = out.splitlines()
    marks = [i for i, l in enumerate(lines) if l.startswith("> map")]
    if len(marks) != 6:
        fail("expected 6 echoed map commands, got %d" % len(marks), out)
    before = runs_of(lines[:marks[0]])
    dropping = runs_of(lines[marks[0]:marks[1]])
    after = runs_of(lines[marks[4]:marks[5]])
    if before is None or dropping is None or after is None:
        fail("a run's events are not whole (Enter, then Exit or drop)", out)
    if len(before) < 3 or set(before) != {"exit"}:
        fail("before the update: %s, expected only Enter/Exit" % before, out)
    # Runs in flight at the update may still end in Exit; then only drops.
    if dropping.count("drop") < 3 or "exit" in dropping[dropping.index("drop"):]:
        fail("after the update: %s, expected Enter/drop from some run on" % dropping, out)
    if len(after) < 3 or after[-1] != "exit" or "drop" in after[after.index("exit"):]:
        fail("after the delete: %s, expected Enter/Exit again" % after, out)
    expected_errors = [r"Error: update failed: .*map 'jmp_table': index 99 is out of range",
                       r"no program named 'no_such_prog'",
                       r"Error: update failed: .*map 'jmp_table': only BPF_ANY",
                       r"Error: delete failed: No such file or directory",
                       r"unknown command 'frobnicate'"]
    for pattern in expected_errors:
        if not re.search(pattern, err):
            fail("stderr lacks /%s/" % pattern, err)
    if not re.search(r"^\d+ runs, last return value: 2$", out, re.M):
        fail("no summary line ending in XDP_PASS", out)
    print("ok: %d runs before, %d while prog_drop was in slot 0, %d after"
          % (len(before), len(dropping), len(after)))


main()
