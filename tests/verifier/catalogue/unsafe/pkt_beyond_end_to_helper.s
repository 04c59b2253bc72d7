# prog: xdp
# map: hash key=4 value=8 entries=4 flags=0
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# A key inside the packet, read through a pointer known to be past data_end.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r2 += 8
if r2 <= r3 goto out
r2 += -4
r1 = map[idx:0]
call 1
out:
r0 = 0
exit
