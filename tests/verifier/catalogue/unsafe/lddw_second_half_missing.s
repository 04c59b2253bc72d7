# prog: socket_filter
# patch: 1 code=0xb7 dst=0
# expect: reject
# reason: invalid bpf_ld_imm64 insn
# part: structure
#
# An lddw whose second slot is another instruction.
r0 = 0x100000000 ll
exit
