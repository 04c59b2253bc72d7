# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: BPF_EXIT instruction in main prog would lead to reference leak
# part: helpers
#
# Submitted on one path only.
r6 = *(u32 *)(r1 +0)
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
if r6 == 0x0 goto out
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
