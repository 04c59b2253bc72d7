# prog: perf_event
# expect: accept
# part: progtypes
#
# Reading sample_period.
r0 = *(u64 *)(r1 +168)
r0 = 0
exit
