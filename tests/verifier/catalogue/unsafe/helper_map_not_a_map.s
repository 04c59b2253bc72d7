# prog: socket_filter
# expect: reject
# reason: R1 type=fp expected=map_ptr
# part: helpers
#
# r1 should be a map.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = r10
call 1
r0 = 0
exit
