# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: memory
#
# An atomic add and a compare-and-exchange on a map value.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = 1
lock *(u64 *)(r0 +8) += r1
r6 = r0
r0 = 1
r1 = 2
r0 = atomic64_cmpxchg((u64 *)(r6 +0), r0, r1)
out:
r0 = 0
exit
