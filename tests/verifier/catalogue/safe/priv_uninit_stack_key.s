# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: accept
# part: helpers
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. The map key points at stack never written.
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
r0 = 0
exit
