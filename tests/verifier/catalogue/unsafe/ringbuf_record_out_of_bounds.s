# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: R0 min value is outside of the allowed memory range
# part: memory
#
# Writing past the 8 bytes reserved.
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
*(u64 *)(r0 +8) = 1
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
