# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
# part: returns
#
# cgroup_skb ingress returns 0 or 1.
r0 = 2
exit
