# prog: socket_filter
# expect: reject
# reason: R1 pointer arithmetic with *= operator prohibited
# part: scalars
#
# Multiplying a pointer.
r1 *= 2
r0 = 0
exit
