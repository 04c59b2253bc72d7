# prog: socket_filter
# map: hash key=8 value=8 entries=1
# expect: reject
# reason: invalid read from stack R2 off=-4 size=8
# part: helpers
#
# An 8-byte key at fp-4: its last four bytes are above the frame. The
# kernel refuses it with -EINVAL (the start is in the stack, the end is
# not), where an access starting outside the stack is -EACCES.
r1 = 0
*(u64 *)(r10 -8) = r1
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = 0
exit
