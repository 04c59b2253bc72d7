# prog: sched_cls
# expect: accept
# part: progtypes
#
# cb[] may be read 8 bytes at a time.
r0 = *(u64 *)(r1 +48)
exit
