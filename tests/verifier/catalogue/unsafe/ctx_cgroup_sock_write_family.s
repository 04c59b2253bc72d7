# prog: cgroup_sock
# attach: cgroup_inet_sock_create
# expect: reject
# reason: invalid bpf_context access off=4 size=4
# part: progtypes
#
# family is read-only.
r0 = 2
*(u32 *)(r1 +4) = r0
r0 = 1
exit
