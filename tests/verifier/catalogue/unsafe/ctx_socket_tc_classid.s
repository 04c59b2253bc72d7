# prog: socket_filter
# expect: reject
# reason: invalid bpf_context access off=72 size=4
# part: progtypes
#
# tc_classid is for tc programs.
r0 = *(u32 *)(r1 +72)
exit
