# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# 4 bytes of metadata checked against data, 8 read.
r2 = *(u32 *)(r1 +8)
r3 = *(u32 *)(r1 +0)
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u64 *)(r2 +0)
out:
r0 = 0
exit
