# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=0 size=8
# part: progtypes
#
# data is a 4-byte field: an 8-byte load is not allowed.
r0 = *(u64 *)(r1 +0)
r0 = 2
exit
