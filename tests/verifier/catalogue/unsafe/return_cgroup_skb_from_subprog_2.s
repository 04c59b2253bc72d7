# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
# part: returns
#
# The value comes back from a subprogram.
call f
exit
f:
r0 = 2
exit
