# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# A packet read without comparing with data_end.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = *(u8 *)(r2 +0)
r0 = 2
exit
