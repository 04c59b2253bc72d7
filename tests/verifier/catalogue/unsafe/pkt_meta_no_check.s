# prog: xdp
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# data_meta read without comparing with data.
r2 = *(u32 *)(r1 +8)
r0 = *(u8 *)(r2 +0)
r0 = 2
exit
