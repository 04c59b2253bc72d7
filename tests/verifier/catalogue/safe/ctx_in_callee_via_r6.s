# prog: sched_cls
# expect: accept
# part: walk
#
# The context kept in r6 across a local call and passed to the callee.
r6 = r1
call f
r0 = *(u32 *)(r6 +0)
exit
f:
r0 = *(u32 *)(r1 +4)
exit
