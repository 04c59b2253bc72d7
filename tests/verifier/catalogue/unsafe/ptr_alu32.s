# prog: socket_filter
# expect: reject
# reason: R1 32-bit pointer arithmetic prohibited
# part: scalars
#
# 32-bit arithmetic on a pointer.
w1 += 4
r0 = 0
exit
