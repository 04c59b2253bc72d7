# prog: xdp
# map: array key=4 value=16 entries=1
# expect: reject
# reason: cannot pass map_type 2 into func bpf_redirect_map#51
# part: helpers
#
# bpf_redirect_map on a plain array.
r1 = map[idx:0]
r2 = 0
r3 = 0
call 51
exit
