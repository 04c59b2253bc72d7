# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: math between map_value pointer and register with unbounded min value is not allowed
# part: memory
#
# An index read from the value itself, never checked.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = *(u64 *)(r0 +0)
r0 += r1
r0 = *(u8 *)(r0 +0)
out:
r0 = 0
exit
