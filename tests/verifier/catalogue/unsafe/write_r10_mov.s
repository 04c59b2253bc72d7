# prog: socket_filter
# expect: reject
# reason: frame pointer is read only
# part: walk
#
# The frame pointer is read-only.
r10 = 0
r0 = 0
exit
