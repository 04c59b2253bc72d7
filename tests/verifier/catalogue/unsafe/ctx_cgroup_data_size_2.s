# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: invalid bpf_context access off=76 size=2
# part: progtypes
#
# No narrow load of the data pointer.
r0 = *(u16 *)(r1 +76)
r0 = 1
exit
