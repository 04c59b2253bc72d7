# prog: socket_filter
# expect: reject
# reason: the call stack of 9 frames is too deep
# part: structure
#
# Two functions calling each other.
call f
r0 = 0
exit
f:
call g
exit
g:
call f
exit
