# prog: kprobe
# expect: reject
# reason: program of this type cannot use helper bpf_ktime_get_coarse_ns#160
# part: helpers
#
# Tracing programs are not given the coarse clock.
call 160
r0 = 0
exit
