# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: reject
# reason: R0 invalid mem access 'scalar'
# part: scalars
#
# The read is on the branch where the value is NULL.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 != 0x0 goto out
r0 = *(u32 *)(r0 +0)
exit
out:
r0 = 0
exit
