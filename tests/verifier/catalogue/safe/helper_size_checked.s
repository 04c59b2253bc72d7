# prog: raw_tracepoint
# expect: accept
# part: helpers
#
# A size from the context checked into [1, 16] for a 16-byte buffer.
r2 = *(u64 *)(r1 +0)
if r2 > 0x10 goto out
if r2 == 0x0 goto out
r1 = r10
r1 += -16
call 16
out:
r0 = 0
exit
