# prog: xdp
# expect: reject
# reason: R3 pointer arithmetic on pkt_end prohibited
# part: scalars
#
# data_end cannot be moved.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r3 += 1
r0 = 2
exit
