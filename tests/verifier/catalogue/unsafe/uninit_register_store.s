# prog: socket_filter
# expect: reject
# reason: R3 !read_ok
# part: walk
#
# Storing a register that was never written.
*(u64 *)(r10 -8) = r3
r0 = 0
exit
