# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: memory
#
# A checked map value spilled and filled keeps its type.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
*(u64 *)(r10 -16) = r0
r0 = 0
r1 = *(u64 *)(r10 -16)
r0 = *(u64 *)(r1 +8)
out:
r0 = 0
exit
