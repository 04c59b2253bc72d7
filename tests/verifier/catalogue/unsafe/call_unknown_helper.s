# prog: socket_filter
# expect: reject
# reason: invalid func unknown#9999
# part: helpers
#
# Helper 9999 does not exist.
call 9999
r0 = 0
exit
