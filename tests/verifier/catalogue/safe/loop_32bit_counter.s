# prog: socket_filter
# expect: accept
# part: walk
#
# A 32-bit loop counter.
w0 = 0
w1 = 0
loop:
w0 += w1
w1 += 1
if w1 < 0x20 goto loop
exit
