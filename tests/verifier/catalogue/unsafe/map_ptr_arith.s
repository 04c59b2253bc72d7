# prog: socket_filter
# map: hash key=4 value=8 entries=4
# expect: reject
# reason: R1 pointer arithmetic on map_ptr prohibited
# part: scalars
#
# A map pointer cannot be moved.
r1 = map[idx:0]
r1 += 8
r0 = 0
exit
