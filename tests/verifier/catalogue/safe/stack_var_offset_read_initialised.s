# prog: socket_filter
# expect: accept
# part: memory
#
# A variable-offset read over slots all written.
r2 = *(u32 *)(r1 +0)
r2 &= 7
*(u64 *)(r10 -16) = 0
*(u64 *)(r10 -8) = 0
r1 = r10
r1 += -16
r1 += r2
r0 = *(u8 *)(r1 +0)
exit
