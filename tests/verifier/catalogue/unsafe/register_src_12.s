# prog: socket_filter
# patch: 1 code=0xbf dst=0 src=12
# expect: reject
# reason: R12 is invalid
# part: structure
#
# A source register above r10.
r0 = 0
r0 = 0
exit
