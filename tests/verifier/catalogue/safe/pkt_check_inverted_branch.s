# prog: xdp
# expect: accept
# part: memory
#
# The read on the branch where data + 4 <= data_end.
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 4
if r4 <= r3 goto ok
goto out
ok:
r0 = *(u32 *)(r2 +0)
out:
r0 = 0
exit
