# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: accept
# part: walk
#
# Two constants from two branches used as offsets: pruning must keep them apart.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r6 = r0
r2 = *(u32 *)(r6 +0)
r1 = 12
if r2 == 0x0 goto use
r1 = 8
use:
r6 += r1
r0 = *(u32 *)(r6 +0)
out:
r0 = 0
exit
