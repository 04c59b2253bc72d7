; The Internet checksum (RFC 1071) of the input bytes: r1 = data, r2 = length.
; 16-bit big-endian words are summed, an odd last byte is padded with zero,
; carries are folded, and the result is complemented.
	r0 = 0
	r3 = r1
	r3 += r2		; r3 = end of data
	r4 = r1
	r4 += 1			; r4 = one past the second byte of the next word
words:
	if r4 >= r3 goto tail
	r5 = *(u8 *)(r1 +0)
	r5 <<= 8
	r6 = *(u8 *)(r1 +1)
	r5 |= r6
	r0 += r5
	r1 += 2
	r4 += 2
	goto words
tail:
	if r1 >= r3 goto fold
	r5 = *(u8 *)(r1 +0)
	r5 <<= 8
	r0 += r5
fold:
	r5 = r0
	r5 >>= 16
	r0 &= 0xffff
	r0 += r5
	if r0 > 0xffff goto fold
	r0 ^= 0xffff
	exit
