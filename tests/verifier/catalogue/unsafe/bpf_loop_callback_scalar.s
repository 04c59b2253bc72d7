# prog: socket_filter
# expect: reject
# reason: R2 type=scalar expected=func
# part: helpers
#
# bpf_loop wants a function in r2.
r1 = 4
r2 = 0
r3 = 0
r4 = 0
call 181
r0 = 0
exit
