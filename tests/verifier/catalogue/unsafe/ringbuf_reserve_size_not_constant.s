# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: R2 is not a known constant'
# part: helpers
#
# The size of a reservation must be a known constant.
r2 = *(u32 *)(r1 +0)
r1 = map[idx:0]
r3 = 0
call 131
if r0 == 0x0 goto out
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
