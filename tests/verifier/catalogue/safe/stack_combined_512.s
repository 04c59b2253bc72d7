# prog: socket_filter
# expect: accept
# part: walk
#
# 256 + 256 bytes along a chain.
*(u64 *)(r10 -256) = 0
call f
r0 = 0
exit
f:
*(u64 *)(r10 -256) = 0
r0 = 0
exit
