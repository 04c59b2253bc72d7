# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# A packet pointer plus an unknown value, then a check that cannot cover it.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r5 = *(u32 *)(r1 +12)
r2 += r5
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 +0)
out:
r0 = 0
exit
