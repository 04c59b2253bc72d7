# prog: cgroup_sock_addr
# attach: cgroup_inet4_connect
# expect: accept
# part: progtypes
#
# connect4 may rewrite user_port.
r0 = 0
*(u32 *)(r1 +24) = r0
r0 = 1
exit
