# prog: socket_filter
# map: hash key=8 value=8 entries=4
# expect: reject
# reason: invalid read from stack R2 off=-4 size=8
# part: helpers
#
# An 8-byte key at -4: half of it above the frame.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = 0
exit
