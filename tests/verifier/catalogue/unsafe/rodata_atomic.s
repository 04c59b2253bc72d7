# prog: socket_filter
# map: array key=4 value=16 entries=1 flags=0x80
# expect: reject
# reason: write into map forbidden, value_size=16 off=4 size=4
# part: memory
#
# An atomic add into a read-only map.
r1 = map[idx:0]+0
r2 = 1
lock *(u32 *)(r1 +4) += r2
r0 = 0
exit
