# prog: socket_filter
# map: array key=4 value=16 entries=1 flags=0x80
# expect: reject
# reason: write into map forbidden, value_size=16 off=4 size=4
# part: memory
#
# A store through the direct address of a read-only map.
r1 = map[idx:0]+0
*(u32 *)(r1 +4) = 1
r0 = 0
exit
