# prog: socket_filter
# expect: reject
# reason: frame pointer is read only
# part: structure
#
# r10 moved in a loop: refused on the path that writes it, after the stack
# depth pre-pass, which must end even though r10's offsets never settle.
r0 = 0
loop:
r10 += 8
r0 += 1
if r0 < 4 goto loop
exit
