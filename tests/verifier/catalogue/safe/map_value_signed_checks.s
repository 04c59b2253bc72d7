# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: accept
# part: scalars
#
# Both signed bounds checked.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = *(u64 *)(r0 +0)
if r1 s< 0x0 goto out
if r1 s> 0xc goto out
r0 += r1
r0 = *(u32 *)(r0 +0)
out:
r0 = 0
exit
