# prog: socket_filter
# expect: accept
# part: returns
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. Returning a stack pointer.
r0 = r10
exit
