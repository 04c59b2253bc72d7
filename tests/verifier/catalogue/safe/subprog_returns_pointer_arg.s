# prog: socket_filter
# expect: accept
# part: walk
#
# A subprogram writes through a caller stack pointer it received.
r1 = r10
r1 += -8
call f
r0 = *(u64 *)(r10 -8)
exit
f:
*(u64 *)(r1 +0) = 42
r0 = 0
exit
