# prog: raw_tracepoint
# expect: reject
# reason: R2 min value is negative, either use unsigned or 'var &= const'
# part: helpers
#
# A size that may be negative.
r2 = *(u64 *)(r1 +0)
if r2 s> 0x8 goto out
r1 = r10
r1 += -16
call 16
out:
r0 = 0
exit
