# prog: socket_filter
# patch: 1 code=0x01 dst=0 src=10
# expect: reject
# reason: BPF_LDX uses reserved fields
# part: structure
#
# BPF_LDX | BPF_IMM: not a load form.
r0 = 0
r0 = 0
exit
