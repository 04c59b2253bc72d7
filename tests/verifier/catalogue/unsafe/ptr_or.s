# prog: socket_filter
# expect: reject
# reason: R1 bitwise operator |= on pointer prohibited
# part: scalars
#
# Bitwise or on a pointer.
r1 |= 2
r0 = 0
exit
