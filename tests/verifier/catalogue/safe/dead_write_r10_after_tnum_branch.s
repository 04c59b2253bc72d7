# prog: socket_filter
# expect: accept
# part: walk
#
# A write to r10 where no path goes: r1 is r0 with its low 20 bits cleared,
# plus 0x400, so its bit 10 is always set where r0's never is and the two
# never compare equal. The kernel knows from the tnums and never walks the
# write; it checks register writes on the paths it walks, not statically.
call 7
r0 >>= 20
r0 <<= 20
r1 = r0
r1 += 0x400
if r1 != r0 goto out
r10 = 0
out:
r0 = 0
exit
