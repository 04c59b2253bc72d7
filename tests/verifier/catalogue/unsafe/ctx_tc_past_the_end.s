# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=192 size=4
# part: progtypes
#
# struct __sk_buff is 192 bytes.
r0 = *(u32 *)(r1 +192)
exit
