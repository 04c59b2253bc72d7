# prog: socket_filter
# map: hash key=4 value=16 entries=4
# expect: accept
# part: memory
#
# Accepted by the kernel for a privileged loader (root: allow_ptr_leaks), which
# # the catalogue's kernel loads are. A stack pointer stored into a map value.
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
r1 = r10
*(u64 *)(r0 +0) = r1
out:
r0 = 0
exit
