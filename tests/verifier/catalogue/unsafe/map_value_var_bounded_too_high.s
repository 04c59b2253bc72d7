# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R0 max value is outside of the allowed memory range
# part: scalars
#
# An index masked to [0, 15], then four bytes read: 15 + 4 > 16.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = *(u64 *)(r0 +0)
r1 &= 0xf
r0 += r1
r0 = *(u32 *)(r0 +0)
out:
r0 = 0
exit
