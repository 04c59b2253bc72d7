# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: invalid bpf_context access off=140 size=4
# part: progtypes
#
# No data_meta for cgroup programs.
r0 = *(u32 *)(r1 +140)
r0 = 1
exit
