# prog: xdp
# expect: accept
# part: memory
#
# The context spilled through a moved stack pointer.
r2 = r10
r2 += -16
*(u64 *)(r2 +0) = r1
r3 = *(u64 *)(r10 -16)
r0 = *(u32 *)(r3 +12)
r0 = 2
exit
