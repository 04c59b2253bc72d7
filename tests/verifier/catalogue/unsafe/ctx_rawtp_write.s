# prog: raw_tracepoint
# expect: reject
# reason: invalid bpf_context access off=0 size=8
# part: progtypes
#
# The arguments are read-only.
r0 = 0
*(u64 *)(r1 +0) = r0
exit
