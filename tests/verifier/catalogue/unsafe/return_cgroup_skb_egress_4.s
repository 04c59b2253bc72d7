# prog: cgroup_skb
# attach: cgroup_inet_egress
# expect: reject
# reason: At program exit the register R0 has smin=4 smax=4 should have been in [0, 3]
# part: returns
#
# Egress allows 0 to 3 (congestion notification); 4 is out.
r0 = 4
exit
