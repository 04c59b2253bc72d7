# prog: socket_filter
# expect: accept
# part: memory
#
# A fetch from a stack slot loads what the slot held (here a known 3), so
# the branch to the unbounded loop is dead.
r0 = 3
*(u64 *)(r10 -8) = r0
r1 = 4
r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)
spin:
if r1 != 3 goto spin
r0 = 0
exit
