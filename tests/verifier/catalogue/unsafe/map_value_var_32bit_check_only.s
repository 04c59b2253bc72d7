# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: math between map_value pointer and register with unbounded min value is not allowed
# part: scalars
#
# A 32-bit check says nothing of the upper half of a 64-bit index.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = *(u64 *)(r0 +0)
if w1 > 0x8 goto out
r0 += r1
r0 = *(u8 *)(r0 +0)
out:
r0 = 0
exit
