# prog: socket_filter
# patch: 1 code=0xb7 dst=11
# expect: reject
# reason: R11 is invalid
# part: structure
#
# A destination register above r10.
r0 = 0
r0 = 0
exit
