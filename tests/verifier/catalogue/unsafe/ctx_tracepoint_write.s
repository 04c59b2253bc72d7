# prog: tracepoint
# expect: reject
# reason: invalid bpf_context access off=8 size=8
# part: progtypes
#
# A tracepoint record is read-only.
r0 = 0
*(u64 *)(r1 +8) = r0
exit
