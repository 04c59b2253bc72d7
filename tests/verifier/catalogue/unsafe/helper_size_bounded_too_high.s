# prog: raw_tracepoint
# expect: reject
# reason: invalid write to stack R1 off=-16 size=32
# part: helpers
#
# A size checked against 32 for a 16-byte buffer.
r2 = *(u64 *)(r1 +0)
if r2 > 0x20 goto out
if r2 == 0x0 goto out
r1 = r10
r1 += -16
call 16
out:
r0 = 0
exit
