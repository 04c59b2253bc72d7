# prog: perf_event
# expect: reject
# reason: invalid bpf_context access off=184 size=8
# part: progtypes
#
# struct bpf_perf_event_data is 184 bytes.
r0 = *(u64 *)(r1 +184)
r0 = 0
exit
