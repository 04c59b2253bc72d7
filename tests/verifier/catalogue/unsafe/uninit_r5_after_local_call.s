# prog: socket_filter
# expect: reject
# reason: R5 !read_ok
# part: walk
#
# r1 to r5 are clobbered by a local call too.
r5 = 1
call f
r0 = r5
exit
f:
r0 = 0
exit
