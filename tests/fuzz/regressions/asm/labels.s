start:
	r0 = 0
	if r1 > 0x5 goto out
	r0 = 0x1122334455667788 ll
out:
	exit
