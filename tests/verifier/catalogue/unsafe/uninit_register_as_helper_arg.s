# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R2 !read_ok
# part: helpers
#
# bpf_map_lookup_elem with no key register.
r1 = map[idx:0]
call 1
r0 = 0
exit
