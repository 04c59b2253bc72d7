# prog: socket_filter
# map: array key=4 value=8 entries=4
# expect: accept
# part: helpers
#
# The key is a register holding 2, spilled as 32 bits to the start of a
# slot: a constant key within the array, so the lookup cannot return NULL
# and the value is read without a check.
w1 = 2
*(u32 *)(r10 -8) = r1
r2 = r10
r2 += -8
r1 = map[idx:0]
call 1
r0 = *(u64 *)(r0 +0)
r0 = 0
exit
