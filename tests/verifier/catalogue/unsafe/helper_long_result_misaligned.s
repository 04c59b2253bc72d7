# prog: cgroup_sysctl
# expect: reject
# reason: misaligned stack access off 0+-12+0 size 8
# part: helpers
#
# bpf_strtol stores its result as a whole 8-byte number: the slot must be
# aligned.
r1 = 0x31
*(u64 *)(r10 -24) = r1
r1 = r10
r1 += -24
r2 = 1
r3 = 0
*(u32 *)(r10 -12) = 0
*(u32 *)(r10 -8) = 0
*(u32 *)(r10 -4) = 0
r4 = r10
r4 += -12
call 105
r0 = 1
exit
