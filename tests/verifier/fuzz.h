/* The verifier's soundness fuzzer (issue 5, item 6): programs the verifier
 * accepts, mutated, verified again, and every accepted mutant run in checked
 * mode (engine/interp_checked.h) on random inputs. A trap is a verifier bug.
 *
 *   fuzz_verifier.c   the loop, the verdict, reproducers and their replay
 *   fuzz_seeds.c      accepted programs: the project's BPF objects, the asm
 *                     examples
 *   fuzz_gen.c        small random valid programs (XDP)
 *   fuzz_mutate.c     mutations of an instruction stream
 *   fuzz_kernel.c     the running kernel's verdict on a program (bpf())
 *
 * Everything random comes from one generator seeded per iteration, so that
 * `--seed S --iteration I` replays iteration I exactly.
 */
#ifndef BPFVM_TESTS_FUZZ_H
#define BPFVM_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/bpfvm.h"

struct fuzz_rng {
	uint64_t state;
};

static inline uint64_t fuzz_next(struct fuzz_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull); /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t fuzz_below(struct fuzz_rng *rng, uint32_t n)
{
	return n ? (uint32_t)(fuzz_next(rng) % n) : 0;
}

/* A program to verify: its instructions (map references as map[idx:N]), its
 * type and the maps it references. */
struct fuzz_prog {
	char source[96]; /* "generated", "OBJ:prog", "sum.s" */
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	struct bpf_insn *insns;
	size_t insn_cnt;
	struct bpfvm_map **maps; /* borrowed */
	uint32_t map_cnt;
};

struct fuzz_seeds {
	struct fuzz_prog *progs;
	size_t cnt, cap;
	struct bpfvm_object **objects; /* kept open: their maps and prog arrays */
	size_t object_cnt;
	unsigned objects_skipped, progs_skipped;
};

/* Adds the programs of every *.bpf.o under `dir` (not recursive) that load
 * and whose type a test run can drive with a packet or a context. */
void fuzz_seeds_add_objects(struct bpfvm *vm, struct fuzz_seeds *seeds, const char *dir);
/* The same for every directory under root (sorted, recursively). */
void fuzz_seeds_add_tree(struct bpfvm *vm, struct fuzz_seeds *seeds, const char *root);
/* Adds every *.s under `dir` as a raw program. */
void fuzz_seeds_add_asm(struct fuzz_seeds *seeds, const char *dir);
void fuzz_seeds_release(struct fuzz_seeds *seeds);

/* The maps generated programs use, created once per runtime:
 * map[idx:0] ARRAY key 4 value 32 x4, map[idx:1] HASH key 4 value 16 x8,
 * map[idx:2] RINGBUF 4096. */
#define FUZZ_GEN_MAPS 3
int fuzz_gen_maps(struct bpfvm *vm, struct bpfvm_map *maps[FUZZ_GEN_MAPS]);

/* A random program built from blocks that are each safe (bounds checks,
 * NULL checks, masks): a valid program the verifier should accept. */
void fuzz_generate(struct fuzz_rng *rng, struct bpfvm_map *maps[FUZZ_GEN_MAPS],
		   struct fuzz_prog *out);

/* Mutates prog->insns in place (same length) 1 to 3 times; describes what
 * it did in `what`. */
void fuzz_mutate(struct fuzz_rng *rng, struct fuzz_prog *prog, char *what, size_t what_size);

/* Whether bpf() can create maps and load programs here. */
bool fuzz_kernel_usable(void);
/* The kernel's verifier on prog: 1 accepted, 0 refused (its reason in
 * `reason`), -1 no verdict (bpf() unusable, or maps it cannot stand in for). */
int fuzz_kernel_verdict(const struct fuzz_prog *prog, char *reason, size_t size);
void fuzz_kernel_release(void);

/* Copies a program (the copy owns its instructions). */
int fuzz_prog_copy(const struct fuzz_prog *from, struct fuzz_prog *to);
void fuzz_prog_release(struct fuzz_prog *prog);

#endif
