# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: walk
#
# The NULL check is made on a copy: both registers are refined.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r6 = r0
if r6 == 0x0 goto out
r0 = *(u32 *)(r0 +0)
out:
r0 = 0
exit
