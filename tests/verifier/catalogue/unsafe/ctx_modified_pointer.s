# prog: xdp
# expect: reject
# reason: dereference of modified ctx ptr R1 off=4 disallowed
# part: memory
#
# Loads go through the context pointer itself, at a constant offset.
r1 += 4
r0 = *(u32 *)(r1 +0)
r0 = 2
exit
