# prog: socket_filter
# expect: reject
# reason: R2 invalid mem access 'scalar'
# part: memory
#
# Reading through a number read from the context.
r2 = *(u32 *)(r1 +0)
r0 = *(u32 *)(r2 +0)
exit
