# prog: sched_cls
# expect: reject
# reason: BPF_ATOMIC stores into R2 pkt is not allowed
# part: memory
#
# Atomic operations on the packet are refused.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 8
if r4 > r3 goto out
r5 = 1
lock *(u64 *)(r2 +0) += r5
out:
r0 = 0
exit
