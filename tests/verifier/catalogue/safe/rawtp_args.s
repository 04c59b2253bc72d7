# prog: raw_tracepoint
# expect: accept
# part: progtypes
#
# Reading three raw tracepoint arguments.
r2 = *(u64 *)(r1 +0)
r3 = *(u64 *)(r1 +8)
r0 = *(u64 *)(r1 +16)
r0 = 0
exit
