# prog: socket_filter
# expect: accept
# part: memory
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. The callee's frame is new: the caller's slot is not in it.
*(u64 *)(r10 -8) = 1
call f
exit
f:
r0 = *(u64 *)(r10 -8)
exit
