# prog: socket_filter
# expect: reject
# reason: invalid read from stack R10 off=-513 size=1
# part: memory
#
# A read below the frame.
r0 = *(u8 *)(r10 -513)
exit
