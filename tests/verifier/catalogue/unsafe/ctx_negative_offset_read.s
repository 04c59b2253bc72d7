# prog: socket_filter
# expect: reject
# reason: negative offset ctx ptr R1 off=-1 disallowed
# part: memory
#
# The context pointer moved back one byte, then read at +9 (mark, at 8):
# a moved context pointer is refused, and a negative move is named first.
r1 += -1
r0 = *(u32 *)(r1 +9)
exit
