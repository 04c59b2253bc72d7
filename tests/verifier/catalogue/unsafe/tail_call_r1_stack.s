# prog: sched_cls
# map: prog_array key=4 value=4 entries=4
# expect: reject
# reason: R1 type=fp expected=ctx
# part: helpers
#
# bpf_tail_call with a stack pointer in r1.
r1 = r10
r2 = map[idx:0]
r3 = 0
call 12
r0 = 0
exit
