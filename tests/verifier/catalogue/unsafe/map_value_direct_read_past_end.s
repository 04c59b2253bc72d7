# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R1 min value is outside of the allowed memory range
# part: memory
#
# A direct value address, read past the value.
r1 = map[idx:0]+8
r0 = *(u64 *)(r1 +8)
exit
