# prog: xdp
# map: devmap key=4 value=4 entries=1
# expect: reject
# reason: write into map forbidden
# part: helpers
#
# A device map is read-only for programs (the kernel sets
# BPF_F_RDONLY_PROG on it): the value arguments are checked first.
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
