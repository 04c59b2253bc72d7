# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: reject
# reason: R1 type=scalar expected=ringbuf_mem
# part: helpers
#
# Submitting something that is not a record.
r1 = 0
r2 = 0
call 132
r0 = 0
exit
