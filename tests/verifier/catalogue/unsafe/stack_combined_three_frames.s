# prog: socket_filter
# expect: reject
# reason: combined stack size of 3 calls is 576. Too large
# part: walk
#
# Three frames of 192 bytes: 576.
*(u64 *)(r10 -192) = 0
call f
r0 = 0
exit
f:
*(u64 *)(r10 -192) = 0
call g
r0 = 0
exit
g:
*(u64 *)(r10 -192) = 0
r0 = 0
exit
