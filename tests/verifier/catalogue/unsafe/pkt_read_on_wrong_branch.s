# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# The read is on the branch where the packet is too short.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 4
if r4 <= r3 goto out
r0 = *(u32 *)(r2 +0)
out:
r0 = 0
exit
