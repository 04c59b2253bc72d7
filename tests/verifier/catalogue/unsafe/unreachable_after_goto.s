# prog: socket_filter
# expect: reject
# reason: unreachable insn 2
# part: structure
#
# Jumped over for good.
r0 = 0
goto pc+1
r0 = 1
exit
