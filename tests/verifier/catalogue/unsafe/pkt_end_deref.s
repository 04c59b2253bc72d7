# prog: xdp
# expect: reject
# reason: R3 invalid mem access 'pkt_end'
# part: memory
#
# data_end cannot be read through.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = *(u8 *)(r3 -1)
r0 = 2
exit
