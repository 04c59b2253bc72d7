# prog: socket_filter
# expect: reject
# reason: infinite loop detected at insn 1
# part: walk
#
# A back edge that does not change the state.
r0 = 0
loop:
if r0 == 0x0 goto loop
exit
