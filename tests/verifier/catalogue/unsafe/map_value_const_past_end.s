# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R0 min value is outside of the allowed memory range
# part: memory
#
# Offset 16 of a 16-byte value.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r0 = *(u32 *)(r0 +16)
out:
r0 = 0
exit
