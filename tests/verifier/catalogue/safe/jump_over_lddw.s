# prog: socket_filter
# expect: accept
# part: structure
#
# A jump over an lddw counts both its slots.
r0 = 1
if r0 == 0x1 goto pc+2
r0 = 0x100000000 ll
exit
