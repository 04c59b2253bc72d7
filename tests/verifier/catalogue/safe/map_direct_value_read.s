# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: accept
# part: memory
#
# A direct value address (global data) read.
r1 = map[idx:0]+8
r0 = *(u64 *)(r1 +0)
exit
