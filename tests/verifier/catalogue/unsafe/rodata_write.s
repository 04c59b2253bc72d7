# prog: socket_filter
# map: array key=4 value=16 entries=1 flags=0x80
# expect: reject
# reason: write into map forbidden, value_size=16 off=0 size=4
# part: memory
#
# A store into a map the program may only read (.rodata: BPF_F_RDONLY_PROG).
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0]
call 1
if r0 == 0x0 goto out
*(u32 *)(r0 +0) = 1
out:
r0 = 0
exit
