# prog: socket_filter
# expect: reject
# reason: invalid write to stack R10 off=8 size=8
# part: memory
#
# Above the frame.
*(u64 *)(r10 +8) = 0
r0 = 0
exit
