# prog: socket_filter
# expect: accept
# part: memory
#
# A variable-offset stack write within the frame.
r2 = *(u32 *)(r1 +0)
r2 &= 7
r1 = r10
r1 += -16
r1 += r2
*(u8 *)(r1 +0) = 0
r0 = 0
exit
