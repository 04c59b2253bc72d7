# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: At program exit the register R0 has smin=0 smax=4294967295 should have been in [0, 1]
# part: returns
#
# A value read from the packet length is not a verdict.
r0 = *(u32 *)(r1 +0)
exit
