# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: reject
# reason: R6 invalid mem access 'map_value_or_null'
# part: memory
#
# Checking a second lookup does not check the first.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r6 = r0
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r0 = *(u32 *)(r6 +0)
out:
r0 = 0
exit
