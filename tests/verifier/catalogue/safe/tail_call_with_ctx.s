# prog: sched_cls
# map: prog_array key=4 value=4 entries=4
# expect: accept
# part: helpers
#
# A tail call with the context in r1.
r2 = map[idx:0]
r3 = 0
call 12
r0 = 0
exit
