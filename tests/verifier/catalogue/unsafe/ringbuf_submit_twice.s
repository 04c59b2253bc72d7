# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: R1 type=scalar expected=ringbuf_mem
# part: helpers
#
# A record submitted twice.
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
r6 = r0
r1 = r0
r2 = 0
call 132
r1 = r6
r2 = 0
call 132
out:
r0 = 0
exit
