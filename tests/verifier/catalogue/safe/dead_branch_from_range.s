# prog: socket_filter
# expect: accept
# part: scalars
#
# A masked value cannot exceed 7: the other branch is dead.
r2 = *(u32 *)(r1 +0)
r2 &= 7
r0 = 0
if r2 > 0x7 goto bad
exit
bad:
r0 = *(u64 *)(r2 +0)
exit
