# prog: socket_filter
# expect: reject
# reason: infinite loop detected at insn 2
# part: walk
#
# A jump to itself on one path.
r0 = *(u32 *)(r1 +0)
if r0 == 0x0 goto out
loop:
goto loop
out:
exit
