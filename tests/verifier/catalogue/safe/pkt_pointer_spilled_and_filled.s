# prog: xdp
# expect: accept
# part: memory
#
# A checked packet pointer spilled and filled keeps its range.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 8
if r4 > r3 goto out
*(u64 *)(r10 -8) = r2
r2 = 0
r5 = *(u64 *)(r10 -8)
r0 = *(u64 *)(r5 +0)
out:
r0 = 0
exit
