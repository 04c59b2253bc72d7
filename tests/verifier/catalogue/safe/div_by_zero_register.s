# prog: socket_filter
# expect: accept
# part: scalars
#
# Division by a register that is 0 is defined (the result is 0): accepted.
r0 = 10
r1 = 0
r0 /= r1
r2 = 7
r2 %= r1
exit
