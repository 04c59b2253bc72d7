# prog: socket_filter
# expect: reject
# reason: BPF program is too large. Processed 1000001 insn
# part: walk
#
# A loop of 400000 iterations of three instructions: past the 1,000,000 budget.
r0 = 0
r1 = 0
loop:
r0 += 3
r1 += 1
if r1 < 0x61a80 goto loop
exit
