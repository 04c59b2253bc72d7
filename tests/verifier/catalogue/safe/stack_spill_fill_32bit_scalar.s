# prog: socket_filter
# expect: accept
# part: memory
#
# A 32-bit spill of a scalar and its fill.
r1 = 5
*(u32 *)(r10 -4) = r1
r0 = *(u32 *)(r10 -4)
exit
