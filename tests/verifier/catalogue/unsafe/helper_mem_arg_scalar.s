# prog: sched_cls
# expect: reject
# reason: R3 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# part: helpers
#
# bpf_skb_load_bytes to a number.
r2 = 0
r3 = 0
r4 = 4
call 26
r0 = 0
exit
