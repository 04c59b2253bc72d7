# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: walk
#
# A pointer past data_end (the taken side of `ptr > data_end`) has no range:
# the checkpoint at the join, made by the checked side, must not cover it.
# (Eight instructions and two jumps first, so that the join gets one.)
r7 = *(u32 *)(r1 +0)
r8 = *(u32 *)(r1 +4)
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r2 = r7
r2 += 24
if r2 > r8 goto join
r0 = *(u8 *)(r7 +1)
if r0 > 7 goto join
join:
r0 = 0
r3 = *(u32 *)(r2 -4)
exit
