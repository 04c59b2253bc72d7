# prog: sched_cls
# map: array key=4 value=16 entries=1
# expect: accept
# part: memory
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. A pointer stored into the context.
r6 = r1
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
*(u32 *)(r6 +8) = r0
out:
r0 = 0
exit
