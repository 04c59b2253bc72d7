# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: accept
# part: returns
#
# A value checked into [0, 1] by a branch.
r0 = *(u32 *)(r1 +0)
if r0 <= 0x1 goto out
r0 = 0
out:
exit
