# prog: socket_filter
# expect: accept
# part: scalars
#
# Sign extension, signed division, byte swaps on scalars.
r1 = *(u32 *)(r1 +0)
r2 = (s8)r1
r3 = 3
r2 s/= r3
r2 = bswap64 r2
r0 = r2
r0 &= 1
exit
