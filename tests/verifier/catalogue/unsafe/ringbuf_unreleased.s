# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: BPF_EXIT instruction in main prog would lead to reference leak
# part: helpers
#
# A reserved record never submitted nor discarded.
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
if r0 == 0x0 goto out
*(u64 *)(r0 +0) = 1
out:
r0 = 0
exit
