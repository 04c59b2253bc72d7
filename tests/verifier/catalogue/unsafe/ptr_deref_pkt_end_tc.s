# prog: sched_cls
# expect: reject
# reason: R3 invalid mem access 'pkt_end'
# part: memory
#
# data_end is not a pointer to read through.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r0 = *(u32 *)(r3 +0)
r0 = 0
exit
