# prog: kprobe
# expect: reject
# reason: invalid bpf_context access off=0 size=8
# part: progtypes
#
# pt_regs is read-only.
r0 = 0
*(u64 *)(r1 +0) = r0
exit
