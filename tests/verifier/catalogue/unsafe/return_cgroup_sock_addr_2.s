# prog: cgroup_sock_addr
# attach: cgroup_inet4_connect
# expect: reject
# reason: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
# part: returns
#
# connect4 returns 0 or 1.
r0 = 2
exit
