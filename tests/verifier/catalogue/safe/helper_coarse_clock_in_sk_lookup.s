# prog: sk_lookup
# attach: sk_lookup
# expect: accept
# part: helpers
#
# sk_lookup programs have the coarse clock (bpf_sk_base_func_proto); a fix that
# refused it to tracing once refused it here too.
call 160
r0 = 1
exit
