# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: accept
# part: helpers
#
# A record reserved then discarded on one path, submitted on the other.
r6 = *(u32 *)(r1 +0)
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
r1 = r0
r2 = 0
if r6 == 0x0 goto discard
call 132
goto out
discard:
call 133
out:
r0 = 0
exit
