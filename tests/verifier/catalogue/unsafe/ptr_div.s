# prog: socket_filter
# expect: reject
# reason: R2 pointer arithmetic with /= operator prohibited
# part: scalars
#
# Dividing a pointer.
r2 = r10
r2 /= 2
r0 = 0
exit
