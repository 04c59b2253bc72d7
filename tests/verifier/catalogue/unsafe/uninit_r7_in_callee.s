# prog: socket_filter
# expect: reject
# reason: R7 !read_ok
# part: walk
#
# A callee does not see its caller's r6 to r9.
r7 = 1
call f
exit
f:
r0 = r7
exit
