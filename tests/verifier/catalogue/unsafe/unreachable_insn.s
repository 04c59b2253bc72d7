# prog: socket_filter
# expect: reject
# reason: unreachable insn 2
# part: structure
#
# An instruction no path reaches.
r0 = 0
exit
r0 = 1
exit
