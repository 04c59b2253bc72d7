# prog: socket_filter
# expect: reject
# reason: last insn is not an exit or jmp
# part: structure
#
# A subprogram that ends without an exit, just before the next one starts.
call f
call g
exit
f:
r0 = 0
g:
r0 = 1
exit
