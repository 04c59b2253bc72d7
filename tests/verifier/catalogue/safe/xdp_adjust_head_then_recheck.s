# prog: xdp
# expect: accept
# part: helpers
#
# After bpf_xdp_adjust_head the pointers are reloaded and checked again.
r6 = r1
r2 = 0
call 44
r2 = *(u32 *)(r6 +0)
r3 = *(u32 *)(r6 +4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 +0)
out:
r0 = 0
exit
