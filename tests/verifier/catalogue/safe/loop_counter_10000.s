# prog: socket_filter
# expect: accept
# part: walk
#
# A loop of 10000 iterations: within the budget, but only with a walk that does not explode.
r0 = 0
r1 = 0
loop:
r0 += 3
r1 += 1
if r1 < 0x2710 goto loop
exit
