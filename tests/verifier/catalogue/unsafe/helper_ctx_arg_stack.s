# prog: sched_cls
# expect: reject
# reason: R1 type=fp expected=ctx
# part: helpers
#
# bpf_skb_load_bytes wants the context in r1.
r1 = r10
r2 = 0
r3 = r10
r3 += -8
r4 = 4
call 26
r0 = 0
exit
