# prog: socket_filter
# expect: reject
# reason: misaligned stack access off 0+0+-4 size 8
# part: memory
# bpfvm: invalid write to stack R10 off=-4 size=8
#
# Eight bytes at -4: four of them above the frame, and misaligned, which the
# kernel checks first.
*(u64 *)(r10 -4) = 0
r0 = 0
exit
