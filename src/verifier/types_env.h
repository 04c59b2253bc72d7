/* The proof's working set, shared by its files:
 *
 *   types.c        entry point; stack depths; applies the context rewrites
 *   types_walk.c   the worklist of paths, checkpoints and pruning, loops, budget
 *   state_prune.c  when a state is covered by one already seen, or equal
 *   liveness.c     which registers and slots are read later (static)
 *   precision.c    which scalars' values matter later (static)
 *   types_alu.c    ALU instructions: scalars (scalar*.c) and pointer arithmetic
 *   types_branch.c conditional jumps: decisions, NULL checks, refinements
 *   pkt_range.c    packet ranges learned from comparisons with data_end
 *   types_jmp.c    jumps, local calls, exit
 *   types_helper.c helper calls (helper_args.c, helper_maps.c, refs.c)
 *   types_return.c return values of programs and callbacks
 *   types_mem.c    loads, stores and atomics; context accesses; lddw
 *   mem_check.c    bounds of every memory access, helpers' memory too
 *   types_stack.c  spills and fills of stack slots
 *   types_log.c    the log (log.c: its buffer)
 */
#ifndef BPFVM_VERIFIER_TYPES_ENV_H
#define BPFVM_VERIFIER_TYPES_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/prog.h"
#include "progtypes/progtype.h"
#include "verifier/reg_state.h"
#include "verifier/types.h"

/* What all paths through one instruction have taught. */
struct insn_aux {
	uint16_t ptr_type;	    /* pointer a load/store went through */
	bool ptr_seen;
	bool prune_point;	    /* a join: states are checkpointed here */
	bool seen;		    /* some path reached it */
	bool ctx_access;	    /* a context access, to rewrite ... */
	struct ctx_rewrite rewrite; /* ... so */
};

/* A state kept at a join. Checkpoints form the tree of the exploration (the
 * kernel's bpf_verifier_state parent and branches): each path hangs under
 * the last checkpoint it went through. */
struct checkpoint {
	struct checkpoint *next;   /* complete: older ones at the same insn;
				    * in progress: the same hash bucket */
	struct checkpoint **pprev; /* in progress: the link to it in its bucket */
	struct checkpoint *parent; /* the checkpoint its path went through before */
	struct verifier_state *state;
	uint64_t frames_key;	   /* state_frames_key(state) */
	uint64_t hash;		   /* state_hash(state) */
	uint32_t idx;
	/* Paths below it still being explored (the one that made it, and
	 * those queued since under it): 0 once every path from it has ended,
	 * and only then may it cover other states. Until then it is an
	 * ancestor of the path being followed. */
	uint32_t branches;
	uint32_t hits, misses;	   /* of coverage tests, to drop useless ones */
};

#define TYPES_ACTIVE_BUCKETS 4096u

struct pending_path {
	struct verifier_state *state;
	struct checkpoint *parent; /* the checkpoint it hangs under, or NULL */
	uint32_t idx;
	uint32_t from;	  /* the instruction that queued it (the log's "from N to M") */
	uint64_t log_pos; /* where the log stood then: level 1 rewinds there */
};

/* What the log remembers between instructions (types_log.c), as the
 * kernel's env->prev_log_pos, prev_insn_print_pos, scratched_regs and
 * scratched_stack_slots. */
struct types_log_cursor {
	uint64_t prev_log_pos;	     /* end of the last instruction's line */
	uint32_t prev_insn_print_pos; /* that line's length */
	uint32_t insn_idx;	     /* the instruction being stepped */
	uint32_t from_idx;	     /* where the path just taken up was queued */
	bool print_path_start;	     /* a path was just taken up */
	uint32_t return_to;	     /* at a callee's exit: where it returns, else 0 */
	uint16_t scratched_regs;     /* registers to show after the instruction */
	uint64_t scratched_slots;    /* stack slots likewise */
};

struct types_env {
	struct bpfvm_prog *prog;
	struct insn_aux *aux;
	uint16_t *live;		    /* verifier_reg_liveness() */
	uint64_t *live_slots;	    /* verifier_stack_liveness() */
	uint16_t *precise;	    /* verifier_precision(): registers ... */
	uint64_t *precise_slots;    /* ... and stack slots */
	struct checkpoint **explored; /* per insn: the complete checkpoints */
	uint32_t *active_cnt;	    /* per insn: checkpoints in progress */
	struct checkpoint **active; /* in progress, by (insn, hash) */
	struct pending_path *pending;
	uint32_t pending_cnt, pending_cap;
	struct checkpoint *parent;  /* of the path being followed */
	uint32_t next_id;	    /* for MAYBE_NULL pointers */
	uint32_t max_ctx_offset;    /* end of the furthest context access */
	uint32_t max_rdonly_access; /* of an iterator's key buffer (mem_check_buffer) */
	uint32_t max_rdwr_access;   /* of its value buffer */
	uint64_t jumps_processed;   /* conditional jumps stepped */
	uint64_t insns_at_last_checkpoint, jumps_at_last_checkpoint;
	struct types_stats stats;
	/* Per subprogram: the deepest byte below its r10 that an access
	 * through any pointer to one of its frames touched. */
	uint32_t *stack_used;
	struct types_log_cursor log_cursor;
};

/* The per-instruction tables above (aux, liveness, checkpoints, ...), for
 * verifier_patch_insn and verifier_remove_insns to keep in step with the
 * instructions: fills `tables`, returns how many (TYPES_ENV_TABLES). */
#define TYPES_ENV_TABLES 7u
struct verifier_insn_table;
uint32_t types_env_tables(struct types_env *env, struct verifier_insn_table *tables);

/* Records "<prog>: insn <idx>: <message>" and returns err. */
int types_error(struct types_env *env, uint32_t idx, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Queues a copy of st to continue at idx, under the current path's last
 * checkpoint. 0 or -ENOMEM. */
int types_push_path(struct types_env *env, const struct verifier_state *st, uint32_t idx);

/* Fails with "R<n> !read_ok" if register n is not initialised. */
int types_check_reg_init(struct types_env *env, struct verifier_state *st, uint32_t idx,
			 uint8_t regno);

/* Fails with "frame pointer is read only" if an instruction on the path
 * writes r10: as in the kernel, only where a path goes (dead code may). */
int types_check_reg_write(struct types_env *env, uint32_t idx, uint8_t regno);

/* The instruction steps: each checks insn idx on st, updates st, and sets
 * *next to the instruction that follows on this path (UINT32_MAX: the path
 * ends). They return 0 or a negative errno with a message. */
int types_step_alu(struct types_env *env, struct verifier_state *st, uint32_t idx);
int types_step_jmp(struct types_env *env, struct verifier_state *st, uint32_t idx,
		   uint32_t *next);
int types_step_mem(struct types_env *env, struct verifier_state *st, uint32_t idx);
int types_step_ld(struct types_env *env, struct verifier_state *st, uint32_t idx,
		  uint32_t *next);
/* A BPF_EXIT of the current frame at insn idx: *next is where the caller
 * goes on (UINT32_MAX after the main program's). */
int types_func_exit(struct types_env *env, struct verifier_state *st, uint32_t idx,
		    uint32_t *next);

/* Stack accesses through a pointer to frame `frame` at constant fp+off. */
int types_stack_read(struct types_env *env, uint32_t idx, struct func_state *frame,
		     int32_t off, uint32_t size, struct reg_state *dst);
/* value: the register stored, or NULL for BPF_ST (imm) and atomics (imm_known
 * says whether `imm` is the value). */
int types_stack_write(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      struct func_state *frame, int32_t off, uint32_t size,
		      const struct reg_state *value, bool imm_known, int64_t imm);
/* A write at a variable offset: every slot it may touch holds data now. */
int types_stack_write_var(struct types_env *env, uint32_t idx, struct func_state *frame,
			  int64_t min_off, int64_t max_off);

/* ---- The parts of the proof, each in its file ------------------------- */

/* types_jmp.c: r0..r5 of a frame after a call. */
void types_clobber_caller_saved(struct func_state *frame);

/* types_branch.c: a conditional jump, both ways unless the operands decide
 * (*next is the fall-through, the other side is queued). */
int types_step_cond_jump(struct types_env *env, struct verifier_state *st, uint32_t idx,
			 uint32_t *next);

/* types_helper.c: a helper call, its arguments checked against the
 * prototype, r0 typed from its return type. */
int types_step_helper_call(struct types_env *env, struct verifier_state *st, uint32_t idx);
/* types_kfunc.c: a call of a runtime function (src_reg BPF_PSEUDO_KFUNC_CALL). */
int types_step_kfunc_call(struct types_env *env, struct verifier_state *st, uint32_t idx);

/* refs.c: the NULL side of a check of pointer `id` drops the reference it
 * would have been (bpf_ringbuf_reserve's record). */
void types_release_null_ref(struct verifier_state *st, uint32_t id);
/* refs.c: whether a pointer keeps its id once known not NULL: a map value
 * whose map has a bpf_spin_lock (the id names the lock). */
bool types_reg_keeps_id(const struct types_env *env, const struct reg_state *reg);

/* types_return.c: r0 at the exit of the program (or of a callback) lies in
 * the range that the program type (or the callback's helper) allows. */
int types_check_return(struct types_env *env, struct verifier_state *st, uint32_t idx);

/* pkt_range.c: after a conditional jump at idx that compares packet
 * pointers (pkt against pkt_end or pkt_meta against pkt), each side learns
 * how many packet bytes are safe to access (find_good_pkt_pointers). `taken`
 * is the state that continues at the jump target, `fall` the other. */
void types_learn_packet_range(struct types_env *env, uint32_t idx, struct verifier_state *taken,
			      struct verifier_state *fall);

/* mem_check.c: whether register `regno` points to memory that a helper may
 * read (write false: the bytes must be initialised) or write (stack bytes
 * become initialised data), for any size in [min_size, max_size]. 0, or
 * -EACCES with the kernel's message (check_helper_mem_access). */
int types_check_helper_mem(struct types_env *env, struct verifier_state *st, uint32_t idx,
			   uint8_t regno, uint64_t min_size, uint64_t max_size, bool write);

/* types_log.c: the verifier log (log.h) of the program being verified, as
 * the kernel's do_check writes it. At log level 1 or 2, each instruction
 * as processed, "N: (bf) r6 = r1", followed by the registers and stack
 * slots it touched ("; R1=ctx() R6=ctx()"); a path taken up from the
 * worklist starts with its whole state (level 2: "from N to M: ..."); at
 * level 1 the trace of a path that ended is dropped, so that on refusal the
 * failing path is what remains, then the reason (types_error).
 *
 * types_log_insn_start: before stepping insn idx (after its pruning check).
 * types_log_insn: after the step, with the state it left.
 * types_log_pruned: the path stopped at idx, covered by a checkpoint.
 * types_log_path_queued: fills path->from and path->log_pos.
 * types_log_path_start: the walk takes up a queued path. */
void types_log_insn_start(struct types_env *env, const struct verifier_state *st, uint32_t idx);
void types_log_insn(struct types_env *env, const struct verifier_state *st, uint32_t idx);
void types_log_pruned(struct types_env *env, uint32_t idx);
void types_log_path_queued(struct types_env *env, struct pending_path *path);
void types_log_path_start(struct types_env *env, const struct pending_path *path);

/* Runs the exploration from the program's entry. */
int types_walk(struct types_env *env);

#endif
