# prog: sched_cls
# expect: reject
# reason: math between pkt pointer and register with unbounded min value is not allowed
# part: memory
#
# A 32-bit spill read back with a 64-bit load: its upper four bytes were
# never the register's, so the value is unknown, and adding it to a packet
# pointer is refused.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
w4 = 14
*(u32 *)(r10 -8) = r4
r4 = *(u64 *)(r10 -8)
r0 = r2
r0 += r4
if r0 > r3 goto out
r0 = *(u8 *)(r2 +13)
out:
r0 = 0
exit
