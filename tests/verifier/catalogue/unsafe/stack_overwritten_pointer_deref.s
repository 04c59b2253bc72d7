# prog: xdp
# expect: reject
# reason: R1 invalid mem access 'scalar'
# part: memory
#
# A spilled pointer partly overwritten is a pointer no more.
*(u64 *)(r10 -8) = r1
*(u8 *)(r10 -8) = 0
r1 = *(u64 *)(r10 -8)
r0 = *(u32 *)(r1 +0)
r0 = 2
exit
