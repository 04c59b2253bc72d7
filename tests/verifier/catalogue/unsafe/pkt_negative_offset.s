# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# A read before the start of the packet.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u8 *)(r2 -1)
out:
r0 = 0
exit
