# prog: socket_filter
# map: perf_event_array key=4 value=4 entries=4
# expect: reject
# reason: cannot pass map_type 4 into func bpf_map_lookup_elem#1
# part: helpers
#
# A perf event array has no values to look up.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = 0
exit
