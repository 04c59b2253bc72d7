# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=-4 size=4
# part: progtypes
#
# Before the context.
r0 = *(u32 *)(r1 -4)
r0 = 2
exit
