; The Internet checksum (RFC 1071) of an IPv4 header without options: the
; first 20 bytes of the input (r1 = data, r2 = length). The ten 16-bit
; big-endian words are summed by index, carries are folded, and the result
; is complemented: 0 for a header whose checksum field is right.
; The index is bounded by the constant 20, not by the length, so the
; verifier proves every read inside the input (an input shorter than 20
; bytes is refused at load: the memory ends before the header does).
	r0 = 0
	r3 = 0			; byte index of the next word
words:
	if r3 >= 20 goto fold
	r4 = r1
	r4 += r3
	r5 = *(u8 *)(r4 +0)
	r5 <<= 8
	r6 = *(u8 *)(r4 +1)
	r5 |= r6
	r0 += r5
	r3 += 2
	goto words
fold:
	r5 = r0
	r5 >>= 16
	r0 &= 0xffff
	r0 += r5
	if r0 > 0xffff goto fold
	r0 ^= 0xffff
	exit
