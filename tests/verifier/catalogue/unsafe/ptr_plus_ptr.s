# prog: socket_filter
# expect: reject
# reason: R2 pointer += pointer prohibited
# part: scalars
#
# pointer += pointer.
r2 = r10
r2 += r1
r0 = 0
exit
