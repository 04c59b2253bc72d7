# prog: socket_filter
# expect: reject
# reason: invalid write to stack R1 off=-520 size=8
# part: memory
#
# A stack pointer moved below the frame, then written.
r1 = r10
r1 += -512
*(u64 *)(r1 -8) = 0
r0 = 0
exit
