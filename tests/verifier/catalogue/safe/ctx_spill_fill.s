# prog: xdp
# expect: accept
# part: memory
#
# The context spilled to the stack and filled back keeps its type.
*(u64 *)(r10 -8) = r1
r1 = 0
r2 = *(u64 *)(r10 -8)
r0 = *(u32 *)(r2 +0)
r0 = 2
exit
