# prog: sched_cls
# expect: accept
# part: memory
#
# An immediate stored as 32 bits at the start of a slot, read back with a
# 16-bit load of its low bytes: still the constant 14.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
*(u32 *)(r10 -16) = 14
r4 = *(u16 *)(r10 -16)
r0 = r2
r0 += r4
if r0 > r3 goto out
r0 = *(u8 *)(r2 +13)
out:
r0 = 0
exit
