# prog: sched_cls
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# tc: a packet read without a check.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r0 = *(u32 *)(r2 +0)
r0 = 0
exit
