# prog: socket_filter
# expect: reject
# reason: R2 !read_ok
# part: walk
#
# r2 is never written before it is read.
r0 = r2
exit
