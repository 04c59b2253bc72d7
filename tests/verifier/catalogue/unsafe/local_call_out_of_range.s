# prog: socket_filter
# expect: reject
# reason: call to invalid destination
# part: structure
#
# A local call past the end.
call pc+5
r0 = 0
exit
