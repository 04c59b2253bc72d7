# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R0 max value is outside of the allowed memory range
# part: scalars
#
# A 32-bit shift of a constant by 32 is undefined: the kernel forgets the
# value (it does not fold 2 << 32 with the engines' masking), so the byte it
# then masks may be anything up to 255, past the 16-byte value.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
w1 = 2
w3 = 32
w1 <<= w3
r1 &= 0xff
r0 += r1
r0 = *(u8 *)(r0 +0)
out:
r0 = 0
exit
