# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: invalid bpf_context access off=44 size=4
# part: progtypes
#
# tc_index is not writable from a cgroup program.
r0 = 0
*(u32 *)(r1 +44) = r0
r0 = 1
exit
