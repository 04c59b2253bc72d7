# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: scalars
#
# A constant that takes the packet pointer out of bounds.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r2 += 0x10000
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 +0)
out:
r0 = 0
exit
