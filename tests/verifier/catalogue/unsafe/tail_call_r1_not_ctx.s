# prog: sched_cls
# map: prog_array key=4 value=4 entries=4
# expect: reject
# reason: R1 type=scalar expected=ctx
# part: helpers
#
# bpf_tail_call needs the context in r1.
r1 = 0
r2 = map[idx:0]
r3 = 0
call 12
r0 = 0
exit
