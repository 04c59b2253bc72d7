# prog: socket_filter
# expect: reject
# reason: invalid variable-offset write to stack R1 var_off=(0x0; 0xf) off=-8 size=1
# part: memory
#
# A variable offset in [-8, +7]: above the frame at its highest.
r2 = *(u32 *)(r1 +0)
r2 &= 0xf
r1 = r10
r1 += -8
r1 += r2
*(u8 *)(r1 +0) = 0
r0 = 0
exit
