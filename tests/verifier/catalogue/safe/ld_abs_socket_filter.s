# prog: socket_filter
# expect: accept
# part: memory
#
# Legacy packet loads with the context in r6.
r6 = r1
r0 = *(u8 *)skb[12]
r0 = *(u16 *)skb[r0 + 0]
exit
