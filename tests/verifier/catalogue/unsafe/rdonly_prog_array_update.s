# prog: xdp
# map: array key=4 value=8 entries=1 flags=0x80
# expect: reject
# reason: write into map forbidden
# part: helpers
#
# A BPF_F_RDONLY_PROG map is not changed by helpers either.
r1 = 0
*(u64 *)(r10 -8) = r1
r1 = map[idx:0]
r2 = r10
r2 += -8
r3 = r10
r3 += -8
r4 = 0
call 2
r0 = 2
exit
