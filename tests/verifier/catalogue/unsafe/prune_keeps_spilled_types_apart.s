# prog: socket_filter
# expect: reject
# reason: R3 invalid mem access 'scalar'
# part: walk
#
# A stack slot holding the context on one path and a number on the other.
r2 = *(u32 *)(r1 +0)
*(u64 *)(r10 -8) = r1
if r2 == 0x0 goto use
*(u64 *)(r10 -8) = 0
use:
r3 = *(u64 *)(r10 -8)
r0 = *(u32 *)(r3 +0)
exit
