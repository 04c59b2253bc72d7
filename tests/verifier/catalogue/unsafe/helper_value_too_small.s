# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: invalid read from stack R3 off=-8 size=16
# part: helpers
#
# bpf_map_update_elem reads value_size (16) bytes from an 8-byte buffer at the top of the frame.
*(u32 *)(r10 -16) = 0
*(u64 *)(r10 -8) = 0
r2 = r10
r2 += -16
r3 = r10
r3 += -8
r4 = 0
r1 = map[idx:0]
call 2
r0 = 0
exit
