# prog: socket_filter
# expect: reject
# reason: R2 !read_ok
# part: walk
#
# Written on one path only.
r1 = *(u32 *)(r1 +0)
if r1 == 0x0 goto skip
r2 = 1
skip:
r0 = r2
exit
