# prog: sched_cls
# expect: accept
# part: memory
#
# A 32-bit constant spilled to the start of a slot and filled back with a
# 32-bit load is still the constant (a narrow spill), so data + 14 checked
# against data_end gives the 14 bytes before it.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
w4 = 14
*(u32 *)(r10 -8) = r4
r4 = *(u32 *)(r10 -8)
r0 = r2
r0 += r4
if r0 > r3 goto out
r0 = *(u8 *)(r2 +13)
out:
r0 = 0
exit
