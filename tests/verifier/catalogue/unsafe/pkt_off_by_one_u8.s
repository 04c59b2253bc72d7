# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# 14 bytes checked, the 15th read.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r2 +14)
out:
r0 = 0
exit
