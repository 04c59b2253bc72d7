# prog: sock_ops
# expect: accept
# part: progtypes
#
# Reading op and family, writing reply.
r2 = *(u32 *)(r1 +0)
r2 = *(u32 *)(r1 +20)
r0 = 0
*(u32 *)(r1 +4) = r0
r0 = 1
exit
