# prog: xdp
# expect: accept
# part: memory
#
# The check is made on a copy moved by 14; the read goes through the original.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u32 *)(r2 +10)
out:
r0 = 0
exit
