# prog: sk_msg
# expect: reject
# reason: R2 offset is outside of the packet
# part: memory
#
# sk_msg data read without a check.
r2 = *(u64 *)(r1 +0)
r0 = *(u8 *)(r2 +0)
r0 = 1
exit
