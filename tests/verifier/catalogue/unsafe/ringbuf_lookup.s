# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: invalid zero-sized read
# part: helpers
# bpfvm: cannot pass map_type 27 into func bpf_map_lookup_elem#1
#
# A ring buffer has no elements to look up; its key size of 0 is what the
# kernel trips on first.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = 0
exit
