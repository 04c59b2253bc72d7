# prog: socket_filter
# expect: reject
# reason: R2 subtraction from stack pointer prohibited
# part: scalars
#
# A copy of r10 minus a constant: the kernel moves a stack pointer only by adding.
r2 = r10
r2 -= 8
*(u64 *)(r2 +0) = 0
r0 = 0
exit
