# prog: socket_filter
# expect: reject
# reason: R0 !read_ok
# part: walk
#
# Returning without setting r0.
exit
