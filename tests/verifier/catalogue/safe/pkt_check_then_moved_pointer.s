# prog: xdp
# expect: accept
# part: memory
#
# A pointer moved within the checked range keeps the range.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 20
if r4 > r3 goto out
r2 += 14
r0 = *(u32 *)(r2 +2)
out:
r0 = 0
exit
