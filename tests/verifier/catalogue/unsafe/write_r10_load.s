# prog: socket_filter
# expect: reject
# reason: frame pointer is read only
# part: walk
#
# A load into r10.
*(u64 *)(r10 -8) = 0
r10 = *(u64 *)(r10 -8)
r0 = 0
exit
