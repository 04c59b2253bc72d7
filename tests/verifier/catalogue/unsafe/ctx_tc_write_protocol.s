# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=16 size=4
# part: progtypes
#
# protocol is read-only.
r0 = 0
*(u32 *)(r1 +16) = r0
exit
