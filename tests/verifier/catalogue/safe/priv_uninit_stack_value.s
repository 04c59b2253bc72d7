# prog: socket_filter
# map: array key=4 value=16 entries=1
# expect: accept
# part: helpers
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. bpf_map_update_elem with a value never written.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -24
r4 = 0
r1 = map[idx:0]
call 2
r0 = 0
exit
