# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=0 size=2
# part: progtypes
#
# No narrow load of the data pointer.
r0 = *(u16 *)(r1 +0)
r0 = 2
exit
