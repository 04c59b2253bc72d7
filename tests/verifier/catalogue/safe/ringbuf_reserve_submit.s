# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: accept
# part: helpers
#
# A record reserved, written, submitted.
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
*(u64 *)(r0 +0) = 1
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
