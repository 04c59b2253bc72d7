# prog: xdp
# expect: reject
# reason: invalid size of register spill
# part: memory
#
# Spilling four bytes of the context pointer.
*(u32 *)(r10 -8) = r1
r0 = 2
exit
