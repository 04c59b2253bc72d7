# prog: socket_filter
# expect: accept
# part: walk
#
# Three nested subprograms, a stack pointer passed down.
*(u64 *)(r10 -8) = 0
r1 = r10
r1 += -8
call f
r0 = *(u64 *)(r10 -8)
exit
f:
call g
r0 = 0
exit
g:
call h
r0 = 0
exit
h:
*(u64 *)(r1 +0) = 3
r0 = 0
exit
