; The sum of 1..100, with a backward loop.
	r0 = 0
	r1 = 100
loop:
	r0 += r1
	r1 += -1
	if r1 != 0x0 goto loop
	exit
