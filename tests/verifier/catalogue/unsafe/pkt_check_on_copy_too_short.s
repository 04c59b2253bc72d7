# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# The check covers 8 bytes through a copy; the read needs 12.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u64 *)(r2 +4)
out:
r0 = 0
exit
