# prog: socket_filter
# expect: reject
# reason: combined stack size of 2 calls is 528. Too large
# part: walk
#
# 512 bytes in the caller plus 16 in the callee.
*(u64 *)(r10 -512) = 0
call f
r0 = 0
exit
f:
*(u64 *)(r10 -16) = 0
r0 = 0
exit
