# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=0 size=4
# part: progtypes
#
# len is read-only.
r0 = 0
*(u32 *)(r1 +0) = r0
exit
