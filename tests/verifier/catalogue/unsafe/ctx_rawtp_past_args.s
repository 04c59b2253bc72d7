# prog: raw_tracepoint
# expect: reject
# reason: invalid bpf_context access off=96 size=8
# part: progtypes
#
# At most 12 arguments (96 bytes).
r0 = *(u64 *)(r1 +96)
r0 = 0
exit
