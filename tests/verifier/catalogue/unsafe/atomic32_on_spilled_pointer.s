# prog: socket_filter
# expect: reject
# reason: invalid size of register fill
# part: memory
#
# A 32-bit atomic on a slot that holds a spilled pointer reads half of
# the pointer as a number.
r1 = r10
*(u64 *)(r10 -8) = r1
r2 = 7
lock *(u32 *)(r10 -8) += r2
r0 = 0
exit
