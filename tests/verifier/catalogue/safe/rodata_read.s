# prog: socket_filter
# map: array key=4 value=16 entries=1 flags=0x80
# expect: accept
# part: memory
#
# Reading a read-only map (.rodata).
r1 = map[idx:0]+0
r0 = *(u32 *)(r1 +12)
exit
