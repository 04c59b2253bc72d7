# prog: sched_cls
# expect: reject
# reason: R4 invalid zero-sized read: u64=[0,15]
# part: helpers
#
# bpf_skb_load_bytes with a length masked to [0, 15]: the length may be 0,
# which ARG_CONST_SIZE refuses.
r4 = *(u32 *)(r1 +0)
r4 &= 0xf
r2 = 0
r3 = r10
r3 += -16
call 26
r0 = 0
exit
