# prog: sched_cls
# expect: accept
# part: progtypes
#
# tc writes mark, priority, cb[] and tc_classid.
r2 = 1
*(u32 *)(r1 +8) = r2
*(u32 *)(r1 +32) = r2
*(u32 *)(r1 +48) = r2
*(u32 *)(r1 +72) = r2
r0 = 0
exit
