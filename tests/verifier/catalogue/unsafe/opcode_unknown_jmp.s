# prog: socket_filter
# patch: 1 code=0xf5 dst=0
# expect: reject
# reason: unknown opcode f5
# part: structure
#
# JMP with operation 0xf0, which does not exist.
r0 = 0
r0 = 0
exit
