# prog: kprobe
# expect: reject
# reason: invalid bpf_context access off=168 size=8
# part: progtypes
#
# struct pt_regs is 168 bytes on x86-64.
r0 = *(u64 *)(r1 +168)
r0 = 0
exit
