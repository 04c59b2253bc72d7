# prog: socket_filter
# expect: reject
# reason: frame pointer is read only
# part: walk
#
# A 32-bit move into r10.
w10 = 0
r0 = 0
exit
