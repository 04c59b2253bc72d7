/* lookup3 (Bob Jenkins, public domain), in the form of the kernel's
 * jhash()/jhash2(): same initial value, mixing and final rounds. */
#include <string.h>

#include "maps/hash_jhash.h"

#define JHASH_INITVAL 0xdeadbeefu

static inline uint32_t jhash_rol32(uint32_t word, unsigned shift)
{
	return (word << shift) | (word >> ((32 - shift) & 31));
}

struct jhash_state {
	uint32_t a, b, c;
};

static inline void jhash_mix(struct jhash_state *s)
{
	s->a -= s->c; s->a ^= jhash_rol32(s->c, 4);  s->c += s->b;
	s->b -= s->a; s->b ^= jhash_rol32(s->a, 6);  s->a += s->c;
	s->c -= s->b; s->c ^= jhash_rol32(s->b, 8);  s->b += s->a;
	s->a -= s->c; s->a ^= jhash_rol32(s->c, 16); s->c += s->b;
	s->b -= s->a; s->b ^= jhash_rol32(s->a, 19); s->a += s->c;
	s->c -= s->b; s->c ^= jhash_rol32(s->b, 4);  s->b += s->a;
}

static inline void jhash_final(struct jhash_state *s)
{
	s->c ^= s->b; s->c -= jhash_rol32(s->b, 14);
	s->a ^= s->c; s->a -= jhash_rol32(s->c, 11);
	s->b ^= s->a; s->b -= jhash_rol32(s->a, 25);
	s->c ^= s->b; s->c -= jhash_rol32(s->b, 16);
	s->a ^= s->c; s->a -= jhash_rol32(s->c, 4);
	s->b ^= s->a; s->b -= jhash_rol32(s->a, 14);
	s->c ^= s->b; s->c -= jhash_rol32(s->b, 24);
}

static inline uint32_t jhash_load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

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

uint32_t hash_jhash_words(const void *key, uint32_t words, uint32_t seed)
{
	const uint8_t *k = key;
	struct jhash_state s;

	s.a = s.b = s.c = JHASH_INITVAL + (words << 2) + seed;
	while (words > 3) {
		s.a += jhash_load32(k);
		s.b += jhash_load32(k + 4);
		s.c += jhash_load32(k + 8);
		jhash_mix(&s);
		words -= 3;
		k += 12;
	}
	if (words == 0)
		return s.c;
	if (words == 3)
		s.c += jhash_load32(k + 8);
	if (words >= 2)
		s.b += jhash_load32(k + 4);
	s.a += jhash_load32(k);
	jhash_final(&s);
	return s.c;
}

uint32_t hash_key_hash(const void *key, uint32_t key_size, uint32_t seed)
{
	if (key_size % 4 == 0)
		return hash_jhash_words(key, key_size / 4, seed);
	return hash_jhash_bytes(key, key_size, seed);
}
