# prog: socket_filter
# expect: reject
# reason: BPF program is too large. Processed 1000001 insn
# part: walk
#
# A counter that goes the wrong way: the walk never ends within the budget.
r0 = 0
r1 = 0
loop:
r1 += -1
if r1 != 0x1 goto loop
exit
