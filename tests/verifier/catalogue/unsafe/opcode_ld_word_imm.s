# prog: socket_filter
# patch: 1 code=0x00 dst=0
# expect: reject
# reason: unknown opcode 00
# part: structure
#
# BPF_LD | BPF_IMM | BPF_W: only the double-word lddw exists.
r0 = 0
r0 = 0
exit
