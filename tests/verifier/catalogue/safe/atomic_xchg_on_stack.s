# prog: socket_filter
# expect: accept
# part: memory
#
# An atomic exchange on an initialised stack slot.
*(u64 *)(r10 -8) = 1
r1 = 5
r1 = atomic64_xchg((u64 *)(r10 -8), r1)
r0 = *(u64 *)(r10 -8)
exit
