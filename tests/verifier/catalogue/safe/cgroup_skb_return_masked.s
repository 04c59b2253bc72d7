# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: accept
# part: returns
#
# A value masked to [0, 1].
r0 = *(u32 *)(r1 +0)
r0 &= 1
exit
