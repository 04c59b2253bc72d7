# prog: socket_filter
# expect: reject
# reason: R0 !read_ok
# part: walk
#
# A subprogram that returns without setting r0.
call f
exit
f:
exit
