# prog: socket_filter
# expect: reject
# reason: R5 !read_ok
# part: walk
#
# A move into r10 from a register never written: the kernel checks the
# source before the destination, so the uninitialised read is the reason.
r0 = 0
r10 = r5
exit
