# prog: socket_filter
# expect: reject
# reason: jump into the middle of ldimm64 insn 2
# part: structure
#
# A jump into the second half of an lddw.
r0 = 0
if r0 == 0x0 goto pc+1
r1 = 0x100000000 ll
exit
