# prog: socket_filter
# patch: 1 code=0xe4 dst=0
# expect: reject
# reason: unknown opcode e4
# part: structure
#
# ALU with operation 0xe0, which does not exist.
r0 = 0
r0 = 0
exit
