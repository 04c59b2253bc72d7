# prog: socket_filter
# expect: reject
# reason: R2 tried to subtract pointer from scalar
# part: scalars
#
# scalar - pointer.
r2 = 4
r2 -= r1
r0 = 0
exit
