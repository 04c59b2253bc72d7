# prog: xdp
# expect: reject
# reason: BPF_LD_[ABS|IND] instructions not allowed for this program type
# part: progtypes
#
# Legacy packet loads are for socket buffer programs.
r6 = r1
r0 = *(u8 *)skb[0]
r0 = 2
exit
