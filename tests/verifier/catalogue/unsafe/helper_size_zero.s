# prog: raw_tracepoint
# expect: reject
# reason: R2 invalid zero-sized read: u64=[0,0]
# part: helpers
#
# bpf_get_current_comm needs a size of at least 1.
r1 = r10
r1 += -16
r2 = 0
call 16
r0 = 0
exit
