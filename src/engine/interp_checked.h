/* Checked execution: the oracle of the verifier's soundness.
 *
 * A second interpreter, a plain switch over the same rewritten instruction
 * stream as the fast one (prog->insns, with the operands interp_decode()
 * resolved), that checks every memory access before making it: loads,
 * stores, atomics, and the memory that helpers receive as pointer + size
 * arguments (helper prototypes, helpers/helper_proto.h). An access must lie
 * wholly inside one region that the run may touch:
 *
 *     context       the runtime context of the run (r1 of the entry program)
 *     packet        data_meta .. data_end, read live (helpers move them)
 *     stack         each active frame: [r10 - its depth, r10)
 *     map value     each value a lookup returned, each lddw map value
 *                   (read-only for BPF_F_RDONLY_PROG maps: .rodata)
 *     ringbuf       each record reserved and not yet submitted or discarded
 *
 * Anything else traps: the run stops with -EFAULT and a message naming the
 * program, the instruction, the access and the nearest region. A program the
 * verifier accepted must never trap (issue 5: the soundness fuzzer,
 * tests/verifier/fuzz_*.c, runs mutants here).
 *
 * The check is by address, not by provenance: an access that strays from one
 * region into another that the run may also touch (two adjacent map values
 * that were both looked up) is not seen. Map values are regions only once a
 * lookup returned them, which keeps that blind spot small.
 */
#ifndef BPFVM_ENGINE_INTERP_CHECKED_H
#define BPFVM_ENGINE_INTERP_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

struct bpfvm_map;
struct bpfvm_prog;
struct helper_proto;
struct interp_run;
struct run_ctx;

enum checked_region_kind {
	CHECKED_CTX,
	CHECKED_PACKET,
	CHECKED_STACK,
	CHECKED_MAP_VALUE,
	CHECKED_MAP_KEY, /* a key a callback of bpf_for_each_map_elem is given */
	CHECKED_RINGBUF,
	CHECKED_KFUNC_MEM, /* memory a runtime function returned */
};

struct checked_region {
	uint64_t start;
	uint64_t size;
	enum checked_region_kind kind;
	bool read_only;
	const struct bpfvm_map *map; /* map values and keys, ring buffer records */
};

/* The state of a checked run, shared by the nested runs of its callbacks. */
struct checked_state {
	const struct bpfvm_prog *entry_prog; /* decides the context's layout */
	uint64_t ctx;
	uint64_t ctx_size;
	struct checked_region *regions; /* map values, keys, ring buffer records */
	uint32_t region_cnt, region_cap;
	struct checked_region *frames;	/* active stack frames, innermost last */
	uint32_t frame_cnt, frame_cap;
	const struct bpfvm_map **maps;	/* maps a helper may be given */
	uint32_t map_cnt, map_cap;
	uint32_t helper_id;		/* the helper being called (callbacks) */
	uint64_t held_lock;		/* the bpf_spin_lock held, or 0 */
	int64_t budget;			/* instructions left, callbacks included */
	const struct bpfvm_prog *prog;	/* where the run is, for messages */
	uint32_t insn_idx;
	struct checked_region computed;	/* checked_find's context or packet */
};

/* Runs `prog` from instruction `entry_idx` (0, or a callback's first
 * instruction) in checked mode, with the stack, arguments and budget of
 * `run`. The outermost call creates run->run->checked_state and frees it.
 * Returns 0 and *retval, -EFAULT on a trap, -ETIME, -EINVAL, -ENOMEM. */
int interp_checked_execute(struct bpfvm_prog *prog, uint32_t entry_idx, struct interp_run *run,
			   uint64_t *retval);

/* ---- Regions (interp_checked_regions.c) ---- */

int checked_state_init(struct checked_state *state, const struct bpfvm_prog *prog,
		       const struct interp_run *run, uint64_t ctx);
void checked_state_release(struct checked_state *state);

/* Adds a region (a region already there with the same start and size is
 * kept). Returns 0 or -ENOMEM. */
int checked_add_region(struct checked_state *state, enum checked_region_kind kind,
		       uint64_t start, uint64_t size, bool read_only, const struct bpfvm_map *map);
/* Removes the ring buffer record that starts at `start`; false if none. */
bool checked_release_record(struct checked_state *state, uint64_t start);

/* Frames: push one, pop one, or change the innermost's size (tail call). */
int checked_push_frame(struct checked_state *state, uint64_t frame_pointer, uint64_t depth);
void checked_pop_frame(struct checked_state *state);
void checked_resize_frame(struct checked_state *state, uint64_t depth);

/* The maps that the program, the programs it tail-calls and map-in-map
 * lookups make known. */
int checked_add_prog_maps(struct checked_state *state, const struct bpfvm_prog *prog);
int checked_add_map(struct checked_state *state, const struct bpfvm_map *map);
bool checked_known_map(const struct checked_state *state, uint64_t ptr);

/* The region that holds [addr, addr + size), or else the nearest (NULL: the
 * run has none). Valid until the next call. */
const struct checked_region *checked_find(struct checked_state *state, uint64_t addr,
					  uint64_t size);

/* Checks an access of `size` bytes at `addr`. `what` names it in the trap
 * message ("read", "write", "atomic", "helper bpf_xxx arg2"). Returns 0 or
 * -EFAULT with the message. */
int checked_access(struct checked_state *state, uint64_t addr, uint64_t size, bool is_write,
		   const char *what);

/* Traps with a message (printf-style after the program and instruction). */
int checked_trap(struct checked_state *state, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- Helpers (interp_checked_helpers.c) ---- */

/* Before a helper call: every pointer argument of its prototype points to
 * memory the run may touch, of the size the prototype says. */
int checked_helper_args(struct checked_state *state, const struct helper_proto *proto,
			const uint64_t args[5]);
/* After it: memory it returned becomes a region, records it released stop
 * being one, inner maps become known, the lock it took or released is
 * noted. */
int checked_helper_result(struct checked_state *state, const struct helper_proto *proto,
			  const uint64_t args[5], uint64_t r0);
/* A callback starts: the key and value bpf_for_each_map_elem gives it. */
int checked_callback_args(struct checked_state *state, const uint64_t args[5]);
/* The run ends: a lock still held or a ring buffer record still reserved is
 * a trap (the verifier's reference tracking), and is released, so that the
 * map stays usable. Returns err, or that trap if err was 0. */
int checked_end_run(struct checked_state *state, int err);

#endif
