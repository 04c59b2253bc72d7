# prog: socket_filter
# expect: reject
# reason: the call stack of 9 frames is too deep
# part: structure
#
# A function that calls itself.
call f
r0 = 0
exit
f:
call f
r0 = 0
exit
