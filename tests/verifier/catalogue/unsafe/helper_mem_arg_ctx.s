# prog: raw_tracepoint
# expect: reject
# reason: R1 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# part: helpers
#
# bpf_get_current_comm into the context.
r2 = 8
call 16
r0 = 0
exit
