# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: helpers
#
# A map value passed as the key of another lookup.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r2 = r0
r1 = map[idx:0]
call 1
out:
r0 = 0
exit
