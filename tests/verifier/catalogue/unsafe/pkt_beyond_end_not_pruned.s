# prog: xdp
# map: hash key=4 value=16 entries=8
# expect: reject
# reason: R2 offset is outside of the packet
# part: walk
#
# The four bytes before data + 20 are a key only where data + 20 <= data_end.
# Both sides of the check meet at a prune point; the side where the pointer
# is known to be beyond data_end must not be covered by the state of the
# side that knows 20 bytes (the kernel's regsafe: a negative range covers
# only its like). Found by the soundness fuzzer.
r7 = *(u32 *)(r1 +0)
r8 = *(u32 *)(r1 +4)
r2 = r7
r2 += 20
if r2 > r8 goto join
r0 = 0
join:
r1 = map[idx:0]
goto next
next:
r2 += -4
call 1
r0 = 2
exit
