#!/usr/bin/env python3
"""map push / enqueue / peek / pop / dequeue on a queue (FIFO) and a stack
(LIFO), in one `bpfvm run` session so that the maps live across commands (the
program it keeps running, hash_flags, touches neither), in plain and JSON
output; and `freeze` refusing the updates after it.

Usage: check_queue_session.py BPFVM MAPS_ZOO_OBJ PACKET"""
import subprocess
import sys

COMMANDS = """map push name queue value 1 0 0 0
map enqueue name queue value 2 0 0 0
map peek name queue
map pop name queue
map dequeue name queue
map pop name queue
map push name stack value 1 0 0 0
map push name stack value hex 02 00 00 00
map push name stack value 3 0 0 0
map pop name stack
map freeze name stack
map push name stack value 4 0 0 0
map peek name stack
map pop name stack
quit
"""
EXPECTED_OUT = [
    "value: 01 00 00 00",              # peek: the oldest, left in place
    "value: 01 00 00 00",              # pop
    "value: 02 00 00 00",              # dequeue
    "value: 03 00 00 00",              # the stack's last pushed
    "value: 02 00 00 00",              # frozen: peek still reads
]
# Frozen, as in the kernel: user space can neither push nor pop (EPERM).
EXPECTED_ERR = ["Error: empty map", "Error: update failed: Operation not permitted",
                "Error: pop failed: Operation not permitted"]


def main():
    cli, obj, packet = sys.argv[1:4]
    p = subprocess.run([cli, "run", "name", "hash_flags", "of", obj, "data_in", packet,
                        "interval", "10"], input=COMMANDS, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    values = [l for l in p.stdout.splitlines() if l.startswith("value")]
    errors = [l.split(" (")[0] for l in p.stderr.splitlines() if l.startswith("Error")]
    if p.returncode != 0 or values != EXPECTED_OUT or errors != EXPECTED_ERR:
        sys.stderr.write("exit %d\n--- stdout:\n%s--- stderr:\n%s" % (p.returncode, p.stdout,
                                                                     p.stderr))
        sys.exit("FAIL: values %s, expected %s; errors %s, expected %s"
                 % (values, EXPECTED_OUT, errors, EXPECTED_ERR))
    print("queue FIFO, stack LIFO, freeze refuses pushes: as the kernel")


main()
