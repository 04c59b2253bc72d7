# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: R0 invalid mem access 'ringbuf_mem_or_null'
# part: memory
#
# bpf_ringbuf_reserve may return NULL.
r1 = map[idx:0]
r2 = 8
r3 = 0
call 131
*(u64 *)(r0 +0) = 1
r1 = r0
r2 = 0
call 132
r0 = 0
exit
