# prog: xdp
# expect: accept
# part: scalars
#
# A variable offset masked to [0, 15], then checked with the read size.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 +0)
r5 &= 0xf
r2 += r5
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 +0)
out:
r0 = 0
exit
