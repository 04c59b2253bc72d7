# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R2 min value is outside of the allowed memory range
# part: memory
#
# A bounded loop whose last iteration reads past the value.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r6 = r0
r1 = 0
loop:
r2 = r6
r2 += r1
r0 = *(u32 *)(r2 +0)
r1 += 4
if r1 <= 0x10 goto loop
out:
r0 = 0
exit
