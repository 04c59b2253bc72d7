/* Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h computes
 * it. Hash maps hash keys with it, with the kernel's choice between the
 * word and the byte variant, so that a map created with BPF_F_ZERO_SEED
 * places keys in the same buckets, and get_next_key walks them in the same
 * order, as the kernel does. */
#ifndef BPFVM_MAPS_HASH_JHASH_H
#define BPFVM_MAPS_HASH_JHASH_H

#include <stdint.h>

/* jhash() over `length` bytes. */
uint32_t hash_jhash_bytes(const void *key, uint32_t length, uint32_t seed);

/* jhash2() over `words` 32-bit words (native byte order). */
uint32_t hash_jhash_words(const void *key, uint32_t words, uint32_t seed);

/* The kernel's htab_map_hash(): words when key_size is a multiple of 4. */
uint32_t hash_key_hash(const void *key, uint32_t key_size, uint32_t seed);

#endif
