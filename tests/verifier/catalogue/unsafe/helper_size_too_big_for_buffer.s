# prog: raw_tracepoint
# expect: reject
# reason: invalid write to stack R1 off=-8 size=16
# part: helpers
#
# 16 bytes into an 8-byte buffer.
r1 = r10
r1 += -8
r2 = 16
call 16
r0 = 0
exit
