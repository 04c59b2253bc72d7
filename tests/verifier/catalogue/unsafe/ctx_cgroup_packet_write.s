# prog: cgroup_skb
# attach: cgroup_inet_ingress
# expect: reject
# reason: cannot write into packet
# part: memory
#
# cgroup_skb programs read the packet but cannot write it.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 1
if r4 > r3 goto out
*(u8 *)(r2 +0) = 0
out:
r0 = 1
exit
