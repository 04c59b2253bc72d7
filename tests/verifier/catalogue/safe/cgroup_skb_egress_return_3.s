# prog: cgroup_skb
# attach: cgroup_inet_egress
# expect: accept
# part: returns
#
# Egress may return 3 (drop with congestion notification).
r0 = 3
exit
