# prog: sched_cls
# expect: reject
# reason: invalid bpf_context access off=168 size=8
# part: progtypes
#
# The socket pointer is read-only.
r0 = 0
*(u64 *)(r1 +168) = r0
exit
