# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: walk
#
# if r0 != 0 jumps to the use.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 != 0x0 goto use
goto out
use:
r0 = *(u32 *)(r0 +12)
out:
r0 = 0
exit
