# prog: sched_cls
# map: prog_array key=4 value=4 entries=4
# expect: reject
# reason: cannot pass map_type 3 into func bpf_map_lookup_elem#1
# part: helpers
#
# A prog array is for tail calls only.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = 0
exit
