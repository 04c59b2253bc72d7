# prog: xdp
# expect: accept
# part: walk
#
# A loop bound read from the context and masked to [0, 15].
r2 = *(u32 *)(r1 +12)
r2 &= 0xf
r0 = 0
r1 = 0
loop:
if r1 >= r2 goto done
r0 += 1
r1 += 1
goto loop
done:
r0 = 2
exit
