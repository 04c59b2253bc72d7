# prog: socket_filter
# expect: accept
# part: walk
#
# A loop counting down from 50.
r0 = 0
r1 = 50
loop:
r0 += 2
r1 -= 1
if r1 != 0x0 goto loop
exit
