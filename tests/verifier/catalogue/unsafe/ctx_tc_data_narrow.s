# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=76 size=2
# part: progtypes
#
# No narrow load of the data pointer.
r0 = *(u16 *)(r1 +76)
exit
