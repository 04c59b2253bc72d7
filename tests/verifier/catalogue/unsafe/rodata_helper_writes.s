# prog: raw_tracepoint
# map: array key=4 value=16 entries=1 flags=0x80
# expect: reject
# reason: write into map forbidden, value_size=16 off=0 size=16
# part: helpers
#
# A helper that writes its buffer, given a read-only map value.
r1 = map[idx:0]+0
r2 = 16
call 16
r0 = 0
exit
