# prog: socket_filter
# expect: reject
# reason: at the time of BPF_LD_ABS|IND R6 != pointer to skb
# part: memory
#
# Legacy packet loads take the socket buffer from r6.
r6 = r10
r0 = *(u8 *)skb[0]
exit
