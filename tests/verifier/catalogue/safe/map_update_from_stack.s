# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: helpers
#
# bpf_map_update_elem with key and value on the stack.
*(u32 *)(r10 -4) = 0
*(u64 *)(r10 -24) = 1
*(u64 *)(r10 -16) = 2
r2 = r10
r2 += -4
r3 = r10
r3 += -24
r4 = 0
r1 = map[idx:0]
call 2
r0 = 0
exit
