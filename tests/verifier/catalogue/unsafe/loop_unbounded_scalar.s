# prog: xdp
# expect: reject
# reason: BPF program is too large. Processed 1000001 insn
# part: walk
#
# A loop whose bound comes from the packet metadata, unknown.
r2 = *(u32 *)(r1 +12)
r0 = 0
loop:
r0 += 1
if r0 != r2 goto loop
r0 = 2
exit
