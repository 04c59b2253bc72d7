# prog: socket_filter
# expect: accept
# part: scalars
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. Subtracting pointers of different kinds.
r2 = r10
r1 -= r2
r0 = 0
exit
