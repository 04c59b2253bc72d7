# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# A packet checked for 8 bytes on one path, 2 on the other, then 4 read.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r5 = *(u32 *)(r1 +12)
r4 = r2
if r5 == 0x0 goto short
r4 += 8
goto check
short:
r4 += 2
check:
if r4 > r3 goto out
r0 = *(u32 *)(r2 +0)
out:
r0 = 0
exit
