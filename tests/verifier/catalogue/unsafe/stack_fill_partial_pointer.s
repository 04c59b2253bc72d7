# prog: xdp
# expect: reject
# reason: invalid size of register fill
# part: memory
#
# Filling four bytes of a spilled context pointer.
*(u64 *)(r10 -8) = r1
r0 = *(u32 *)(r10 -8)
r0 = 2
exit
