# prog: sched_cls
# expect: accept
# part: progtypes
#
# Narrow reads of len, protocol and mark.
r2 = *(u8 *)(r1 +0)
r2 = *(u16 *)(r1 +16)
r0 = *(u8 *)(r1 +8)
r0 = 0
exit
