# prog: sched_cls
# expect: accept
# part: memory
#
# tc may write the packet within the checked range.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u32 *)(r2 +0) = 1
out:
r0 = 0
exit
