# prog: sk_skb
# expect: accept
# part: helpers
#
# sk_skb may rewrite the stream's packet with bpf_skb_store_bytes.
r6 = r1
r2 = 0
*(u32 *)(r10 -4) = r2
r1 = r6
r3 = r10
r3 += -4
r4 = 4
r5 = 0
call 9
r0 = 0
exit
