# prog: socket_filter
# expect: reject
# reason: R1 type=scalar expected=map_ptr
# part: helpers
#
# A map given as a number.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = 0
call 1
r0 = 0
exit
