# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=2 size=4
# part: progtypes
#
# Four bytes at offset 2 straddle two fields.
r0 = *(u32 *)(r1 +2)
r0 = 2
exit
