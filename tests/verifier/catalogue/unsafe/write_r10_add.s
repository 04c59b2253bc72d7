# prog: socket_filter
# expect: reject
# reason: frame pointer is read only
# part: walk
#
# Moving the frame pointer is a write too.
r10 += -8
r0 = 0
exit
