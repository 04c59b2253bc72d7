# prog: xdp
# expect: accept
# part: returns
#
# Accepted by the kernel for a privileged loader (root: allow_uninit_stack,
# allow_ptr_leaks), which the catalogue's kernel loads are. Returning the context pointer leaks an address.
r0 = r1
exit
