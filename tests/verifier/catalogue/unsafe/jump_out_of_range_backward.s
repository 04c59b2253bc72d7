# prog: socket_filter
# expect: reject
# reason: jump out of range from insn 1 to -3
# part: structure
#
# A jump before the first instruction.
r0 = 0
goto pc-5
exit
