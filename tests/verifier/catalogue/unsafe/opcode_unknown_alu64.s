# prog: socket_filter
# patch: 1 code=0xf7 dst=0
# expect: reject
# reason: unknown opcode f7
# part: structure
#
# ALU64 with operation 0xf0, which does not exist.
r0 = 0
r0 = 0
exit
