# prog: socket_filter
# expect: reject
# reason: invalid write to stack R10 off=0 size=8
# part: memory
#
# r10 points one past the frame.
*(u64 *)(r10 +0) = 0
r0 = 0
exit
