# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=0 size=4
# part: progtypes
#
# No field of xdp_md is writable.
r2 = 0
*(u32 *)(r1 +0) = r2
r0 = 2
exit
