/* Kernel differential testing (issue 8, items 1 and 2): generated programs
 * loaded into the running kernel and into bpfvm (interpreter and JIT), run
 * on the same inputs, and everything they can change compared with the
 * kernel's: the verifier's verdict, r0, the packet, the context, every map.
 *
 *   kdiff.c            the loop, the verdicts, the statistics, options
 *   kdiff_trial.c      one program set in the three engines: load, run, compare
 *   kdiff_run.c        inputs, a run in bpfvm, results compared
 *   kdiff_kernel.c     the kernel's side: maps, loads, test runs (bpf(2))
 *   kdiff_snapshot.c   a map's contents in a canonical form, either side's
 *   kdiff_repro.c      reproducers: written, minimised, replayed
 *   kdiff_cgen.c       programs as C, compiled by clang, opened by libbpf
 *                      and bpfvm_object_open (item 2)
 *
 * The bytecode comes from the differential fuzzer's generator
 * (tests/engine/fuzz_engines.h) and the verifier fuzzer's (fuzz.h). What the
 * kernel cannot be made to agree on is left out, each for a reason given
 * where it is done and in docs/kdiff.md: the clocks and bpf_get_prandom_u32
 * (their calls become constants in both), the CPU (the thread is pinned to
 * one CPU and bpfvm's runs bound to the same vCPU, so per-CPU values and
 * bpf_get_smp_processor_id agree).
 */
#ifndef BPFVM_TESTS_KDIFF_H
#define BPFVM_TESTS_KDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/fuzz_engines.h"

#define KDIFF_MAPS_MAX EGEN_MAPS
#define KDIFF_DATA_MAX 8192
#define KDIFF_CTX_MAX 256
#define KDIFF_PACKET_MAX 512

enum kdiff_engine { KDIFF_INTERP, KDIFF_JIT, KDIFF_MIRROR, KDIFF_RUNTIMES };

/* The runtimes, each bound to vCPU `cpu` (the CPU the thread is pinned to).
 * The mirror runs nothing: its maps are filled from the seed as the others
 * are, and the kernel's contents after their fill are checked against it. */
struct kdiff_env {
	struct bpfvm *vm[KDIFF_RUNTIMES];
	int cpu;
	/* trials keep their maps for the next trial of the same mirror maps
	 * (kdiff_trial.c); reproducers are checked and minimised without */
	bool reuse_maps;
};

/* ---- the kernel (kdiff_kernel.c) --------------------------------------- */

struct ring_buffer;

/* A kernel map standing for a bpfvm map: same type, sizes and flags. */
struct kdiff_kmap {
	int fd;
	struct bpfvm_map_info info;
	struct ring_buffer *ring; /* libbpf's reader of a RINGBUF: its ctx is the map */
	bpfvm_ringbuf_sample_fn consume;
	void *consume_ctx;
};

bool kdiff_kernel_usable(char *why, size_t size);
int kdiff_kernel_map_create(struct bpfvm_map *like, struct kdiff_kmap *out);
void kdiff_kernel_map_close(struct kdiff_kmap *map);
/* The ring buffer's records to fn (NULL: dropped), oldest first. */
int kdiff_kernel_ring_consume(struct kdiff_kmap *map, bpfvm_ringbuf_sample_fn fn, void *ctx);
/* emaps_fill (fuzz_engines.h) on a kernel map: the same operations, in the
 * same order, with the same bytes from rng. */
int kdiff_kernel_map_fill(struct fuzz_rng *rng, struct kdiff_kmap *map);
/* Bytes a user-space lookup writes (per-CPU: every possible CPU's). */
size_t kdiff_kernel_value_size_user(const struct bpfvm_map_info *info);
/* Loads insns (map[idx:N] -> maps[N]'s fd): the fd, or -1 with the kernel's
 * reason (the log's last line) in `reason`. */
int kdiff_kernel_load(enum bpf_prog_type type, const struct bpf_insn *insns, size_t insn_cnt,
		      const struct kdiff_kmap *maps, uint32_t map_cnt, char *reason,
		      size_t size);

/* ---- runs ---------------------------------------------------------------- */

struct kdiff_input {
	uint64_t seed;
	uint8_t data[KDIFF_PACKET_MAX];
	uint32_t size;
	_Alignas(8) uint8_t ctx[KDIFF_CTX_MAX]; /* read as struct __sk_buff or xdp_md */
	uint32_t ctx_size;
};

struct kdiff_result {
	int err;
	uint32_t retval;
	uint8_t data[KDIFF_DATA_MAX];
	uint32_t data_size;
	_Alignas(8) uint8_t ctx[KDIFF_CTX_MAX]; /* read as struct __sk_buff or xdp_md */
	uint32_t ctx_size;
};

/* The packet and context of a program type from rng (after the maps). */
void kdiff_make_input(struct fuzz_rng *rng, enum bpf_prog_type type, struct kdiff_input *in);
void kdiff_kernel_run(int prog_fd, const struct kdiff_input *in, struct kdiff_result *r);
void kdiff_bpfvm_run(struct bpfvm_prog *prog, const struct kdiff_input *in,
		     struct kdiff_result *r);
/* Whether two runs agree; if not, what differs in `why`. */
bool kdiff_results_equal(const struct kdiff_result *kernel, const struct kdiff_result *vm,
			 char *why, size_t size);

/* ---- map contents (kdiff_snapshot.c) ----------------------------------- */

/* A map's contents, drained where reading drains (queues, stacks, ring
 * buffers): elements sorted by key, so that the order of iteration, which
 * the snapshot does not compare, cannot differ. */
struct kdiff_snapshot;

struct kdiff_snapshot *kdiff_snapshot_vm(struct bpfvm_map *map);
struct kdiff_snapshot *kdiff_snapshot_kernel(struct kdiff_kmap *map);
bool kdiff_snapshots_equal(const struct kdiff_snapshot *kernel, const struct kdiff_snapshot *vm,
			   char *why, size_t size);
void kdiff_snapshot_free(struct kdiff_snapshot *snapshot);

/* ---- one program set in every engine (kdiff_trial.c) ------------------- */

enum kdiff_verdict {
	KDIFF_BOTH_REFUSE,
	KDIFF_BOTH_ACCEPT,
	KDIFF_ONLY_KERNEL_ACCEPTS, /* bpfvm refuses a valid program: a mismatch */
	KDIFF_ONLY_BPFVM_ACCEPTS,  /* a soundness finding */
	KDIFF_ENGINES_DISAGREE,	   /* bpfvm's interpreter and JIT load differently */
	KDIFF_KERNEL_BUG,	   /* the kernel refuses with "verifier bug": its own */
};

/* A program set: main and tail-call targets (slot i of the prog array at
 * map index `prog_array` holds targets[i]), over `map_cnt` maps made like
 * `maps` (the interpreter runtime's: every runtime gets its own). */
struct kdiff_set {
	char source[64];
	enum bpf_prog_type type;
	struct fuzz_prog main;
	struct fuzz_prog targets[EGEN_TARGETS_MAX];
	uint32_t target_cnt;
	int prog_array; /* -1: none */
};

struct kdiff_outcome {
	enum kdiff_verdict verdict;
	char reason[512];	  /* the refusing side's words */
	int culprit;		  /* the program the verdict is of: -1 main, else a target */
	unsigned inputs_compared; /* inputs run and compared */
	unsigned engines_differ;  /* inputs where interpreter and JIT differ */
	bool mismatch;
	/* the inputs run, the last the first mismatching one: what a map
	 * holds (a ring buffer's old bytes, an LRU's lists) depends on all */
	uint64_t input_seeds[8];
	unsigned input_cnt;
	char why[1024];
};

/* Loads the set into the kernel and both engines, runs it on the inputs
 * made from each of `input_seeds` and compares, until the first mismatch. */
void kdiff_trial(struct kdiff_env *env, const struct kdiff_set *set, const uint64_t *input_seeds,
		 unsigned inputs, struct kdiff_outcome *out);

/* Closes the maps that trials kept (env->reuse_maps). */
void kdiff_trial_release_maps(void);

/* The calls whose results no two engines share (the clocks and
 * bpf_get_prandom_u32) replaced by r0 = constant; how many. */
unsigned kdiff_pin_helpers(struct bpf_insn *insns, size_t insn_cnt);

/* ---- reproducers (kdiff_repro.c) --------------------------------------- */

/* Writes the set (in the assembler's syntax, targets included) and the
 * mismatching input's seed to `path`. */
int kdiff_repro_write(const char *path, const struct kdiff_set *set,
		      const struct kdiff_outcome *outcome, const char *origin);
/* Drops instructions of the culprit (each replaced by a jump to the next)
 * while the set mismatches in the same way on the outcome's input; how
 * many were dropped. */
unsigned kdiff_repro_minimise(struct kdiff_env *env, struct kdiff_set *set,
			      const struct kdiff_outcome *outcome);
const char *kdiff_verdict_name(enum kdiff_verdict verdict);
/* The same mismatch: the same verdict and, for runs, the same difference
 * word for word. */
bool kdiff_same_mismatch(const struct kdiff_outcome *a, const struct kdiff_outcome *b);

/* Shrinks prog (kdiff_shrink.c: deletes instructions, makes them no-ops,
 * shrinks constants) as long as still(ctx) holds after each change;
 * prog->insns is changed in place (never grown). How many changes. */
typedef bool (*kdiff_still_fn)(void *ctx);
unsigned kdiff_shrink(struct fuzz_prog *prog, kdiff_still_fn still, void *ctx);

/* Replays a reproducer: 1 if the mismatch is there, 0 if not, 2 if the file
 * cannot be read. */
int kdiff_repro_replay(struct kdiff_env *env, const char *path, bool verbose);

/* ---- C programs (kdiff_cgen.c) ----------------------------------------- */

struct kdiff_cgen_stats {
	uint64_t tried, compiled, kernel_accepted, bpfvm_accepted, compared, mismatches;
};

/* One random C program from `seed`, compiled with clang into work_dir,
 * loaded by libbpf into the kernel and by bpfvm, run and compared; on a
 * mismatch the source is kept (and named in stdout). */
void kdiff_cgen_one(struct kdiff_env *env, uint64_t seed, const char *work_dir,
		    const char *clang, const char *include_dir, struct kdiff_cgen_stats *stats,
		    bool verbose);

#endif
