# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=144 size=8
# part: progtypes
#
# flow_keys is for flow dissectors only.
r0 = *(u64 *)(r1 +144)
r0 = 0
exit
