# prog: socket_filter
# map: hash key=8 value=8 entries=4
# expect: accept
# part: helpers
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. An 8-byte key with only 4 bytes written.
*(u32 *)(r10 -8) = 0
r2 = r10
r2 += -8
r1 = map[idx:0]
call 1
r0 = 0
exit
