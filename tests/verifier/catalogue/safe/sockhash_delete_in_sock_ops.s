# prog: sock_ops
# map: sockhash key=4 value=4 entries=1
# expect: accept
# part: helpers
#
# may_update_sockmap: sock_ops may delete (updates go through bpf_sock_hash_update).
r1 = 0
*(u32 *)(r10 -4) = r1
r1 = map[idx:0]
r2 = r10
r2 += -4
call 3
r0 = 0
exit
