# prog: socket_filter
# expect: reject
# reason: last insn is not an exit or jmp
# part: structure
#
# No exit at all.
r0 = 0
r0 = 1
