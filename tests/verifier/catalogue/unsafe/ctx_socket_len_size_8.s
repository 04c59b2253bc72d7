# prog: socket_filter
# expect: reject
# reason: invalid bpf_context access off=0 size=8
# part: progtypes
#
# len is a 4-byte field.
r0 = *(u64 *)(r1 +0)
exit
