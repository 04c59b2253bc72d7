# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=76 size=4
# part: progtypes
#
# The data pointer cannot be written.
r0 = 0
*(u32 *)(r1 +76) = r0
exit
