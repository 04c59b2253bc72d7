/* lookup3 (Bob Jenkins, public domain), in the form of the kernel's
 * jhash()/jhash2(): same initial value, mixing and final rounds. */
#include <string.h>

#include "maps/hash_jhash.h"

uint32_t hash_jhash_bytes(const void *key, uint32_t length, uint32_t seed)
{
	const uint8_t *k = key;
	struct jhash_state s;

	s.a = s.b = s.c = JHASH_INITVAL + length + seed;
	while (length > 12) {
		s.a += jhash_load32(k);
		s.b += jhash_load32(k + 4);
		s.c += jhash_load32(k + 8);
		jhash_mix(&s);
		length -= 12;
		k += 12;
	}
	if (length == 0)
		return s.c;
	/* The tail, little-endian within each word, as the kernel's switch. */
	for (uint32_t i = 0; i < length; i++) {
		uint32_t byte = (uint32_t)k[i] << (8 * (i % 4));

		if (i < 4)
			s.a += byte;
		else if (i < 8)
			s.b += byte;
		else
			s.c += byte;
	}
	jhash_final(&s);
	return s.c;
}
