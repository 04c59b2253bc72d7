# prog: raw_tracepoint
# expect: accept
# part: progtypes
#
# A raw tracepoint argument may be read 4 bytes at a time (its low half).
r0 = *(u32 *)(r1 +0)
r0 = 0
exit
