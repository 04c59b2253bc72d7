# prog: socket_filter
# expect: reject
# reason: math between fp pointer and 536870912 is not allowed
# part: scalars
# bpfvm: invalid stack access at or above the frame pointer
#
# A stack pointer moved by more than the verifier tracks.
r2 = r10
r2 += 0x20000000
*(u8 *)(r2 +0) = 0
r0 = 0
exit
