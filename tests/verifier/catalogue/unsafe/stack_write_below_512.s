# prog: socket_filter
# expect: reject
# reason: invalid write to stack R10 off=-520 size=8
# part: memory
#
# Below the 512 bytes of a frame.
*(u64 *)(r10 -520) = 0
r0 = 0
exit
