# prog: xdp
# map: devmap key=4 value=8 entries=4
# expect: accept
# part: helpers
#
# A device map's value (struct bpf_devmap_val) read after the NULL check.
r1 = 1
*(u32 *)(r10 -4) = r1
r1 = map[idx:0]
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
r0 = *(u32 *)(r0 +4)
out:
r0 = 2
exit
