# prog: cgroup_sock
# attach: cgroup_inet_sock_create
# expect: accept
# part: progtypes
#
# bound_dev_if, mark and priority are writable.
r0 = 1
*(u32 *)(r1 +0) = r0
*(u32 *)(r1 +16) = r0
r0 = 1
exit
