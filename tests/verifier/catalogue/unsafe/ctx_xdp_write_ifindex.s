# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=12 size=4
# part: progtypes
#
# ingress_ifindex is read-only.
*(u32 *)(r1 +12) = 0
r0 = 2
exit
