# prog: socket_filter
# expect: reject
# reason: R2 bitwise operator &= on pointer prohibited
# part: scalars
#
# Masking a pointer.
r2 = r10
r2 &= -8
r0 = 0
exit
