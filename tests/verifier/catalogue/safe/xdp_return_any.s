# prog: xdp
# expect: accept
# part: returns
#
# xdp returns any value (unknown actions are aborts at run time).
r0 = *(u32 *)(r1 +12)
exit
