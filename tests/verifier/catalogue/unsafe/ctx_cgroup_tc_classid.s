# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: invalid bpf_context access off=72 size=4
# part: progtypes
#
# tc_classid is for tc programs.
r0 = *(u32 *)(r1 +72)
r0 = 1
exit
