# prog: socket_filter
# map: array key=4 value=8 entries=1
# expect: reject
# reason: R0 min value is outside of the allowed memory range
# part: scalars
#
# A scalar sum (r8 += r7, neither a pointer) becomes a map value's offset
# later: the paths must not be pruned at `sum` although r7 only flows into
# an add of scalars there. The first path (r7 = 0) is safe, the second
# (r7 = 100) reads past the value.
r6 = *(u32 *)(r1 +0)
r6 &= 1
r7 = 0
if r6 != 0 goto big
goto sum
big:
r7 = 100
sum:
r8 = 0
r8 += r7
r1 = 0
*(u32 *)(r10 -4) = r1
r1 = map[idx:0]
r2 = r10
r2 += -4
call 1
r0 += r8
r0 = *(u8 *)(r0 +0)
r0 = 0
exit
