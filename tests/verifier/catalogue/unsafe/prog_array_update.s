# prog: sched_cls
# map: prog_array key=4 value=4 entries=4
# expect: reject
# reason: cannot pass map_type 3 into func bpf_map_update_elem#2
# part: helpers
#
# Programs cannot update a prog array.
*(u32 *)(r10 -4) = 0
*(u32 *)(r10 -8) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r4 = 0
r1 = map[idx:0]
call 2
r0 = 0
exit
