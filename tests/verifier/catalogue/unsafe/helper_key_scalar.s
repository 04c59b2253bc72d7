# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: reject
# reason: R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# part: helpers
#
# The key is a number, not a pointer.
r2 = 0
r1 = map[idx:0]
call 1
r0 = 0
exit
