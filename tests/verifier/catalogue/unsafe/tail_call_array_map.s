# prog: sched_cls
# map: array key=4 value=16 entries=1
# expect: reject
# reason: expected prog array map for tail call
# part: helpers
#
# bpf_tail_call on an array that is not a prog array.
r2 = map[idx:0]
r3 = 0
call 12
r0 = 0
exit
