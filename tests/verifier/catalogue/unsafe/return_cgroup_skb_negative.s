# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: At program exit the register R0 has smin=-1 smax=-1 should have been in [0, 1]
# part: returns
#
# -1 is not a verdict.
r0 = -1
exit
