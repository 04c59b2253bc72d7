/* Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h computes
 * it. Hash maps hash keys with it, with the kernel's choice between the
 * word and the byte variant, so that a map created with BPF_F_ZERO_SEED
 * places keys in the same buckets, and get_next_key walks them in the same
 * order, as the kernel does. */
#ifndef BPFVM_MAPS_HASH_JHASH_H
#define BPFVM_MAPS_HASH_JHASH_H

#include <stdint.h>
#include <string.h>

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

/* jhash() over `length` bytes. */
uint32_t hash_jhash_bytes(const void *key, uint32_t length, uint32_t seed);

/* jhash2() over `words` 32-bit words (native byte order). Inline, so that
 * a caller with a constant key size (the JIT's direct lookups, hash.c) gets
 * the rounds unrolled for it. */
static inline uint32_t hash_jhash_words(const void *key, uint32_t words, uint32_t seed)
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

/* The kernel's htab_map_hash(): words when key_size is a multiple of 4. */
static inline uint32_t hash_key_hash(const void *key, uint32_t key_size, uint32_t seed)
{
	if (key_size % 4 == 0)
		return hash_jhash_words(key, key_size / 4, seed);
	return hash_jhash_bytes(key, key_size, seed);
}

#endif
