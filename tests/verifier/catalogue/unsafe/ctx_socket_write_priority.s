# prog: socket_filter
# expect: reject
# reason: invalid bpf_context access off=32 size=4
# part: progtypes
#
# priority is not writable here.
r0 = 0
*(u32 *)(r1 +32) = r0
exit
