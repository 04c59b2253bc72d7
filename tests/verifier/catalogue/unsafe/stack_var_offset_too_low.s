# prog: socket_filter
# expect: reject
# reason: invalid variable-offset write to stack R1 var_off=(0x0; 0x3ff) off=-1032 size=1
# part: memory
#
# A variable offset in [-1032, -9]: below the frame at its lowest.
r2 = *(u32 *)(r1 +0)
r2 &= 0x3ff
r1 = r10
r1 += -1032
r1 += r2
*(u8 *)(r1 +0) = 0
r0 = 0
exit
