# prog: socket_filter
# expect: reject
# reason: invalid bpf_context access off=76 size=4
# part: progtypes
#
# Socket filters have no direct packet access.
r0 = *(u32 *)(r1 +76)
exit
