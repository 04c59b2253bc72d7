# prog: socket_filter
# expect: reject
# reason: R1 !read_ok
# part: walk
#
# r1 to r5 are clobbered by a helper call.
call 5
r0 = r1
exit
