# prog: raw_tracepoint
# expect: reject
# reason: invalid bpf_context access off=4 size=8
# part: progtypes
#
# Arguments are 8-byte aligned.
r0 = *(u64 *)(r1 +4)
r0 = 0
exit
