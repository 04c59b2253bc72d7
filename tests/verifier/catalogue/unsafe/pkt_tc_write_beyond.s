# prog: sched_cls
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# tc: a write one byte past the checked range.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u32 *)(r2 +1) = 0
out:
r0 = 0
exit
