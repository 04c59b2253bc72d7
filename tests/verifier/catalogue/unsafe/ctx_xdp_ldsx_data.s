# prog: xdp
# expect: reject
# reason: invalid bpf_context access off=0 size=4
# part: progtypes
#
# A sign-extending load of xdp_md->data would make a packet pointer of
# half of one.
r2 = *(s32 *)(r1 +0)
r0 = 0
exit
