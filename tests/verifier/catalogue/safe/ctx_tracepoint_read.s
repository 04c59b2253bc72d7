# prog: tracepoint
# expect: accept
# part: progtypes
#
# Reading a tracepoint record field.
r0 = *(u64 *)(r1 +8)
r0 = 0
exit
