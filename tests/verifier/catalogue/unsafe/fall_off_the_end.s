# prog: socket_filter
# expect: reject
# reason: last insn is not an exit or jmp
# part: structure
#
# The last instruction is not an exit or a jump.
r0 = 0
exit
r0 = 1
