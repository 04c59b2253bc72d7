# prog: socket_filter
# expect: reject
# reason: invalid bpf_context access off=8 size=4
# part: progtypes
#
# Socket filters write only cb[].
r0 = 0
*(u32 *)(r1 +8) = r0
exit
