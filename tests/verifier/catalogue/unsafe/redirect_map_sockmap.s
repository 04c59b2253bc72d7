# prog: xdp
# map: sockmap key=4 value=4 entries=1
# expect: reject
# reason: cannot pass map_type 15 into func bpf_redirect_map#51
# part: helpers
#
# bpf_redirect_map takes device, CPU and XSK maps, not a sockmap.
r1 = map[idx:0]
r2 = 0
r3 = 0
call 51
exit
