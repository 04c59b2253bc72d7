# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: At program exit the register R0 has smin=0 smax=3 should have been in [0, 1]
# part: returns
#
# A value masked to [0, 3] at ingress.
r0 = *(u32 *)(r1 +0)
r0 &= 3
exit
