# prog: socket_filter
# patch: 1 code=0x61 dst=0 src=15
# expect: reject
# reason: R15 is invalid
# part: structure
#
# A load through r15.
r0 = 0
r0 = 0
exit
