# prog: socket_filter
# map: array key=4 value=8 entries=1
# expect: reject
# reason: R0 max value is outside of the allowed memory range
# part: scalars
#
# A 32-bit shift by a register that holds 32: the kernel does not assume
# the count is masked, so the result, then the offset, is any number.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0 goto out
r2 = 32
r1 = 1
w1 <<= w2
r1 &= 0xff
r0 += r1
r0 = *(u8 *)(r0 +0)
out:
r0 = 0
exit
