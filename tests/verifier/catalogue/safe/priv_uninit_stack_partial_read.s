# prog: socket_filter
# expect: accept
# part: memory
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. Four bytes written, eight read.
*(u32 *)(r10 -8) = 0
r0 = *(u64 *)(r10 -8)
exit
