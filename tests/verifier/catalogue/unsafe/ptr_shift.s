# prog: socket_filter
# expect: reject
# reason: R2 pointer arithmetic with <<= operator prohibited
# part: scalars
#
# Shifting a pointer.
r2 = r10
r2 <<= 1
r0 = 0
exit
