# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: accept
# part: helpers
#
# An array lookup with a constant key in range cannot return NULL (kernel 6.18).
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = *(u32 *)(r0 +0)
exit
