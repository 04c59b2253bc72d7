# prog: xdp
# expect: reject
# reason: R7 invalid mem access 'scalar'
# part: helpers
#
# bpf_xdp_adjust_head invalidates every packet pointer and its range.
r6 = r1
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r7 = r2
r1 = r6
r2 = 0
call 44
r0 = *(u32 *)(r7 +0)
out:
r0 = 0
exit
