# prog: socket_filter
# expect: accept
# part: progtypes
#
# A socket filter writes cb[].
r2 = 7
*(u32 *)(r1 +52) = r2
r0 = *(u32 *)(r1 +52)
exit
