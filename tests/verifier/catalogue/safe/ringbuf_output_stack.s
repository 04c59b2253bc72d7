# prog: socket_filter
# map: ringbuf key=0 value=0 entries=4096
# expect: accept
# part: helpers
#
# bpf_ringbuf_output of 8 bytes of stack.
*(u64 *)(r10 -8) = 1
r1 = map[idx:0]
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call 130
r0 = 0
exit
