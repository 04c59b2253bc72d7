# prog: socket_filter
# map: hash key=4 value=8 entries=4
# expect: accept
# part: memory
# bpfvm: R1 invalid mem access 'map_ptr'
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. A map pointer cannot be read through.
r1 = map[idx:0]
r0 = *(u64 *)(r1 +0)
exit
