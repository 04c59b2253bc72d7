# prog: socket_filter
# patch: 2 code=0x18 dst=0 imm=1
# expect: reject
# reason: last insn is not an exit or jmp
# part: structure
#
# An lddw cut in half by the end of the program.
r0 = 0
exit
r0 = 0x100000000 ll
