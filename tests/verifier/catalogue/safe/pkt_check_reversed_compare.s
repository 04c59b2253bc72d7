# prog: xdp
# expect: accept
# part: memory
#
# data_end on the left: if end < data + 8 goto out.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 8
if r3 < r4 goto out
r0 = *(u64 *)(r2 +0)
out:
r0 = 0
exit
