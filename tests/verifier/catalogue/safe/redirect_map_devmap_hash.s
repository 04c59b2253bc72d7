# prog: xdp
# map: devmap_hash key=4 value=8 entries=4
# expect: accept
# part: helpers
#
# bpf_redirect_map through a DEVMAP_HASH, XDP_PASS when the key is absent.
r1 = map[idx:0]
r2 = 7
r3 = 2
call 51
exit
