# prog: socket_filter
# expect: reject
# reason: R3 invalid mem access 'scalar'
# part: walk
#
# A register that is the context on one path and a number on the other.
r2 = *(u32 *)(r1 +0)
r3 = r1
if r2 == 0x0 goto use
r3 = 0
use:
r0 = *(u32 *)(r3 +0)
exit
