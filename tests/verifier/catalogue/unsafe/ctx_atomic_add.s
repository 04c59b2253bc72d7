# prog: xdp
# expect: reject
# reason: BPF_ATOMIC stores into R1 ctx is not allowed
# part: memory
#
# Atomic operations on the context are refused.
r2 = 1
lock *(u32 *)(r1 +12) += r2
r0 = 2
exit
