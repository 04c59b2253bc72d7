# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: reject
# reason: R2 type=map_value_or_null expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# part: helpers
#
# A lookup result that may be NULL, passed as a key.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r2 = r0
r1 = map[idx:0]
call 1
r0 = 0
exit
