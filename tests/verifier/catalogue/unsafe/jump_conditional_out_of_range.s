# prog: socket_filter
# expect: reject
# reason: jump out of range from insn 1 to 5
# part: structure
#
# A conditional jump past the end.
r0 = 0
if r0 == 0x0 goto pc+3
exit
