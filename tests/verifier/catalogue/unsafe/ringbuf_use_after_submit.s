# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: R6 invalid mem access 'scalar'
# part: helpers
#
# The record is gone once submitted.
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
r6 = r0
r1 = r0
r2 = 0
call 132
*(u64 *)(r6 +0) = 1
out:
r0 = 0
exit
