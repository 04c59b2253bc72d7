# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R0 max value is outside of the allowed memory range
# part: scalars
#
# The 64-bit form: a constant shifted right by 64 is unknown to the kernel,
# not the constant the engines' masked shift gives.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = 4
r3 = 64
r1 >>= r3
r1 &= 0xff
r0 += r1
r0 = *(u8 *)(r0 +0)
out:
r0 = 0
exit
