# prog: kprobe
# expect: accept
# part: progtypes
#
# Reading di and si (the first two arguments).
r2 = *(u64 *)(r1 +112)
r0 = *(u64 *)(r1 +104)
r0 = 0
exit
