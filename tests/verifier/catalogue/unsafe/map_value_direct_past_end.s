# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: invalid access to map value pointer, value_size=16 off=16
# part: memory
#
# A direct value address past the value (map[idx:0]+16).
r1 = map[idx:0]+16
r0 = 0
exit
