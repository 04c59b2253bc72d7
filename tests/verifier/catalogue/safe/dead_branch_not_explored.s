# prog: socket_filter
# expect: accept
# part: walk
#
# A branch that a known constant rules out is not walked: its bad read does not count.
r0 = 0
if r0 == 0x1 goto bad
exit
bad:
r0 = *(u64 *)(r0 +0)
exit
