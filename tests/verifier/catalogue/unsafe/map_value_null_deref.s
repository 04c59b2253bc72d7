# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: reject
# reason: R0 invalid mem access 'map_value_or_null'
# part: memory
#
# The lookup may return NULL.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = *(u32 *)(r0 +0)
exit
