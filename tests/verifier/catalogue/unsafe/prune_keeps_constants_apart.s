# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R6 min value is outside of the allowed memory range
# part: memory
#
# Two constants from two branches; one takes the read past the value. Pruning must not merge them.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r6 = r0
r2 = *(u32 *)(r6 +0)
r1 = 8
if r2 == 0x0 goto use
r1 = 16
use:
r6 += r1
r0 = *(u32 *)(r6 +0)
out:
r0 = 0
exit
