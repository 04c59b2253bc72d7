# prog: socket_filter
# expect: accept
# part: memory
#
# The whole 512-byte frame.
*(u64 *)(r10 -512) = 1
r0 = *(u64 *)(r10 -512)
exit
