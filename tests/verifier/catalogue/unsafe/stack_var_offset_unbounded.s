# prog: socket_filter
# expect: reject
# reason: invalid unbounded variable-offset write to stack R1
# part: memory
#
# A stack pointer plus a value read from the context.
r2 = *(u32 *)(r1 +0)
r1 = r10
r1 += -8
r1 += r2
*(u8 *)(r1 +0) = 0
r0 = 0
exit
