# prog: sched_cls
# expect: reject
# reason: helper access to the packet is not allowed
# part: helpers
#
# bpf_skb_load_bytes may not be given a packet pointer, even a checked
# one: only the helpers whose kernel prototype sets pkt_access take one.
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 4
if r4 > r3 goto out
r3 = r2
r2 = 0
r4 = 4
call 26
out:
r0 = 0
exit
