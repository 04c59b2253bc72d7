# prog: raw_tracepoint
# expect: reject
# reason: R2 min value is negative, either use unsigned or 'var &= const'
# part: helpers
#
# bpf_get_current_comm with a size read from the context.
r2 = *(u64 *)(r1 +0)
r1 = r10
r1 += -16
call 16
r0 = 0
exit
