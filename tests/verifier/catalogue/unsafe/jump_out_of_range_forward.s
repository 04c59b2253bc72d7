# prog: socket_filter
# expect: reject
# reason: jump out of range from insn 1 to 7
# part: structure
#
# A jump past the last instruction.
r0 = 0
goto pc+5
exit
