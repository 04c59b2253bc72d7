# prog: sk_msg
# expect: accept
# part: memory
#
# sk_msg data read after a check against data_end.
r2 = *(u64 *)(r1 +0)
r3 = *(u64 *)(r1 +8)
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 +0)
out:
r0 = 1
exit
