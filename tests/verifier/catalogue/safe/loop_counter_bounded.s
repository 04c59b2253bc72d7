# prog: socket_filter
# expect: accept
# part: walk
#
# A loop with a counter to 100.
r0 = 0
r1 = 0
loop:
r0 += r1
r1 += 1
if r1 < 0x64 goto loop
exit
