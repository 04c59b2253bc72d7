/* The differential fuzzer (issue 6, item 3): random valid programs run
 * under the interpreter and the JIT on the same inputs, and everything they
 * can change compared.
 *
 *   fuzz_engines.c        the loop, the comparison, reproducers and replay
 *   fuzz_engines_gen.c    random valid programs over every kind of map, with
 *                         local calls, tail calls, atomics and ld_abs/ld_ind
 *   fuzz_engines_maps.c   map contents: filled from a seed, compared
 *
 * It reuses the verifier's soundness fuzzer (tests/verifier/fuzz.h): its
 * generator, its mutator and its seeds (the project's objects, examples/asm).
 * Each engine has its own runtime, so each has its own maps; they are filled
 * from the same seed before each run, so both engines start from identical
 * contents.
 */
#ifndef BPFVM_TESTS_FUZZ_ENGINES_H
#define BPFVM_TESTS_FUZZ_ENGINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"
#include "verifier/fuzz.h"

/* The maps of generated programs (map[idx:N]), created in each runtime. */
enum egen_map {
	EGEN_ARRAY,	     /* key 4, value 32, 4 entries */
	EGEN_HASH,	     /* key 4, value 16, 8 entries */
	EGEN_PERCPU_ARRAY,   /* key 4, value 16, 4 entries */
	EGEN_PERCPU_HASH,    /* key 4, value 16, 8 entries */
	EGEN_LRU_HASH,	     /* key 4, value 16, 4 entries: evicts */
	EGEN_LRU_PERCPU_HASH, /* key 4, value 16, 4 entries */
	EGEN_QUEUE,	     /* value 8, 4 entries */
	EGEN_STACK,	     /* value 8, 4 entries */
	EGEN_RINGBUF,	     /* 4096 bytes */
	EGEN_PROG_ARRAY,     /* 4 slots: the tail-call targets */
	EGEN_MAPS
};

#define EGEN_TARGETS_MAX 3

/* A generated program and the tail-call targets that go into the prog array
 * (slot i holds targets[i]; a slot without one stays empty). */
struct egen_set {
	enum bpf_prog_type type;
	struct fuzz_prog main;
	struct fuzz_prog targets[EGEN_TARGETS_MAX];
	uint32_t target_cnt;
};

int egen_maps(struct bpfvm *vm, struct bpfvm_map *maps[EGEN_MAPS]);
void egen_maps_close(struct bpfvm_map *maps[EGEN_MAPS]);

/* A main program of a random type (XDP or tc), its targets, all using
 * `maps` (one runtime's: the caller copies the instructions to the other). */
void egen_generate(struct fuzz_rng *rng, struct bpfvm_map *maps[EGEN_MAPS],
		   struct egen_set *set);
void egen_release(struct egen_set *set);

/* len bytes from rng: map keys and values, packets. */
void emaps_random_bytes(struct fuzz_rng *rng, uint8_t *buf, size_t len);

/* Whether a map type is one of the four hash maps. */
bool emaps_is_hash(uint32_t type);

/* Empties a map and gives it random contents: a few random elements, the
 * rest of an array zero, queues and stacks partly filled, ring buffers
 * drained. Maps of other types are left as they are. */
void emaps_fill(struct fuzz_rng *rng, struct bpfvm_map *map);

/* Whether two maps of the same definition hold the same contents (element
 * by element, every CPU's value; queues, stacks and ring buffers are
 * drained to compare them). If not, says where in `why`. */
bool emaps_equal(struct bpfvm_map *a, struct bpfvm_map *b, char *why, size_t why_size);

#endif
