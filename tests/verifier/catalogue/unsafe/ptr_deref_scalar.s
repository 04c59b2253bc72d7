# prog: socket_filter
# expect: reject
# reason: R2 invalid mem access 'scalar'
# part: memory
#
# Reading through a number.
r2 = 0
r0 = *(u32 *)(r2 +0)
exit
