# prog: socket_filter
# expect: accept
# part: memory
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. A variable-offset read over slots not all written.
r2 = *(u32 *)(r1 +0)
r2 &= 0x7
*(u64 *)(r10 -8) = 0
r1 = r10
r1 += -16
r1 += r2
r0 = *(u8 *)(r1 +0)
exit
