# prog: sk_msg
# map: sockmap key=4 value=4 entries=1
# expect: reject
# reason: BPF_EXIT instruction in main prog would lead to reference leak
# part: helpers
#
# A socket looked up in a sockmap is a reference the program must release.
r1 = 0
*(u32 *)(r10 -4) = r1
r1 = map[idx:0]
r2 = r10
r2 += -4
call 1
r0 = 1
exit
