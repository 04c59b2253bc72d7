# prog: socket_filter
# expect: accept
# part: memory
#
# A stack pointer spilled, filled, written through.
r1 = r10
r1 += -16
*(u64 *)(r10 -8) = r1
r2 = *(u64 *)(r10 -8)
*(u64 *)(r2 +0) = 7
r0 = *(u64 *)(r10 -16)
exit
