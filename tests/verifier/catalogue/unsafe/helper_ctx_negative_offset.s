# prog: socket_filter
# expect: reject
# reason: negative offset ctx ptr R1 off=-1 disallowed
# part: helpers
#
# bpf_skb_load_bytes given the context pointer moved back one byte: a
# helper takes the context only as the program received it.
r1 += -1
r2 = 0
r3 = r10
r3 += -8
r4 = 4
call 26
r0 = 0
exit
