# prog: sock_ops
# expect: reject
# reason: invalid bpf_context access off=0 size=4
# part: progtypes
#
# op is read-only.
r0 = 0
*(u32 *)(r1 +0) = r0
r0 = 1
exit
