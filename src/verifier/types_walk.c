/* The path exploration, as the kernel's do_check and is_state_visited:
 * every path from the entry, one at a time, depth first, with a worklist of
 * the paths still to follow (the other side of each branch).
 *
 *   state ──step──► state ──step──► ... ──► exit of the main program: path done
 *     │ at a join (prune point), against the checkpoints kept there:
 *     ├─ one complete (every path from it ended) covers it?  path done (pruned)
 *     ├─ one still in progress (an ancestor) is equal to it?  an infinite loop
 *     └─ otherwise, a copy may be kept as a new checkpoint, and the path goes on
 *
 * Checkpoints form a tree: a path hangs under the last checkpoint it went
 * through, and each checkpoint counts the paths below it still running
 * (`branches`: incremented when a path is queued under it, decremented up
 * the chain when one ends). Only a complete checkpoint may cover a state:
 * everything that follows from it has been proved, to the end of every path.
 * An ancestor has not: covering by it would accept a loop that never exits
 * (`l: r1 += 1; if r1 != 0 goto l`), so a loop is walked iteration by
 * iteration until its state repeats (refused) or it exits, within the
 * budget of processed instructions (BPF_COMPLEXITY_LIMIT_INSNS).
 *
 * One exception, the kernel's: a helper that calls a callback (bpf_loop...)
 * bounds the calls itself, so when a callback returns to it, an ancestor at
 * the helper that covers the state ends the path.
 *
 * Checkpoints are kept every few jumps and instructions, as the kernel does,
 * and more sparsely inside a loop (an ancestor at the same join), where
 * each iteration differs and rarely helps pruning. */
#include <errno.h>
#include <stdlib.h>

#include "verifier/state_prune.h"
#include "verifier/types_env.h"

#define TYPES_INSN_BUDGET 1000000u  /* BPF_COMPLEXITY_LIMIT_INSNS */
#define TYPES_PENDING_LIMIT 8192u   /* BPF_COMPLEXITY_LIMIT_JMP_SEQ */

int types_push_path(struct types_env *env, const struct verifier_state *st, uint32_t idx)
{
	struct verifier_state *copy;

	if (env->pending_cnt >= TYPES_PENDING_LIMIT)
		return types_error(env, idx, -E2BIG, "The sequence of %u jumps is too complex.",
				   env->pending_cnt + 1);
	if (env->pending_cnt == env->pending_cap) {
		uint32_t cap = env->pending_cap ? env->pending_cap * 2 : 64;
		struct pending_path *grown = realloc(env->pending, cap * sizeof(*grown));

		if (!grown)
			return types_error(env, idx, -ENOMEM, "out of memory");
		env->pending = grown;
		env->pending_cap = cap;
	}
	copy = state_dup(st);
	if (!copy)
		return types_error(env, idx, -ENOMEM, "out of memory");
	env->pending[env->pending_cnt] =
		(struct pending_path){ .state = copy, .idx = idx, .parent = env->parent };
	if (env->parent)
		env->parent->branches++;
	types_log_path_queued(env, &env->pending[env->pending_cnt++]);
	if (env->pending_cnt > env->stats.peak_pending)
		env->stats.peak_pending = env->pending_cnt;
	return 0;
}

/* The bucket of the checkpoints in progress at idx with this state hash.
 * The hash is a multiplicative one whose low bits see only the low bits of
 * what it mixed (a packet offset that grows by 21 per loop iteration would
 * leave them all in one bucket): its bits are folded down first. */
static struct checkpoint **active_bucket(const struct types_env *env, uint32_t idx,
					 uint64_t hash)
{
	uint64_t h = hash ^ idx * 0x9e3779b97f4a7c15ull;

	h = (h ^ h >> 33) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return &env->active[h % TYPES_ACTIVE_BUCKETS];
}

/* Every path from cp has ended: it may cover states from now on. */
static void complete(struct types_env *env, struct checkpoint *cp)
{
	*cp->pprev = cp->next;
	if (cp->next)
		cp->next->pprev = cp->pprev;
	env->active_cnt[cp->idx]--;
	cp->next = env->explored[cp->idx];
	env->explored[cp->idx] = cp;
}

/* The path being followed has ended: the checkpoints above it have one path
 * fewer, and those left with none are complete (update_branch_counts). */
static void path_ended(struct types_env *env)
{
	struct checkpoint *cp = env->parent;

	while (cp && --cp->branches == 0) {
		complete(env, cp);
		cp = cp->parent;
	}
	env->parent = NULL;
}

/* Whether a new checkpoint is worth its memory: as the kernel, only after
 * at least 2 jumps and 8 instructions since the last one (straight runs
 * between close joins rarely help pruning), and inside a loop only after
 * 20 jumps or 100 instructions. A helper that calls a callback always gets
 * one: the callback's returns are pruned against it. */
static bool checkpoint_due(const struct types_env *env, bool in_loop, bool forced)
{
	uint64_t jumps = env->jumps_processed - env->jumps_at_last_checkpoint;
	uint64_t insns = env->stats.insns_processed - env->insns_at_last_checkpoint;

	if (forced)
		return true;
	if (jumps < 2 || insns < 8)
		return false;
	return !in_loop || jumps >= 20 || insns >= 100;
}

static bool passes_callback(const struct types_env *env, struct verifier_state *st,
			    uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];

	if (!isa_is_jmp(insn->code) || isa_op(insn->code) != BPF_CALL || isa_is_local_call(insn))
		return false;
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		if (state_frame(st)->regs[r].type == REG_PTR_TO_FUNC)
			return true;
	return false;
}

static int add_checkpoint(struct types_env *env, const struct verifier_state *st, uint32_t idx,
			  uint64_t key, uint64_t hash)
{
	struct checkpoint *cp = malloc(sizeof(*cp));

	if (cp)
		cp->state = state_dup(st);
	if (!cp || !cp->state) {
		free(cp);
		return types_error(env, idx, -ENOMEM, "out of memory");
	}
	struct checkpoint **bucket = active_bucket(env, idx, hash);

	env->insns_at_last_checkpoint = env->stats.insns_processed;
	env->jumps_at_last_checkpoint = env->jumps_processed;
	cp->frames_key = key;
	cp->hash = hash;
	cp->idx = idx;
	cp->parent = env->parent;
	cp->branches = 1; /* the path that goes on from here */
	cp->hits = cp->misses = 0;
	cp->next = *bucket;
	if (cp->next)
		cp->next->pprev = &cp->next;
	cp->pprev = bucket;
	*bucket = cp;
	/* As the kernel counts it: the states already kept there. */
	if (env->active_cnt[idx] > env->stats.max_states_per_insn)
		env->stats.max_states_per_insn = env->active_cnt[idx];
	env->active_cnt[idx]++;
	env->parent = cp;
	env->stats.states_stored++;
	return 0;
}

/* Whether a complete checkpoint has failed to cover so often that testing
 * it costs more than it saves: then it is dropped, as the kernel drops
 * states whose misses outnumber their hits (by more for a helper with a
 * callback, whose checkpoints end the callback's repetitions). */
static bool useless(const struct checkpoint *cp, bool forced)
{
	uint32_t n = forced ? 64 : 3;

	return !cp->branches && cp->misses > cp->hits * n + n;
}

/* Whether a complete checkpoint at idx covers st (dropping those that
 * keep failing to). As the kernel's is_state_visited, a miss counts only
 * when st is to be kept (`due`): inside a loop, where few are kept, the
 * comparisons with every other iteration's checkpoints would otherwise drop
 * the very checkpoints that the iterations still to come need. */
static bool covered(struct types_env *env, const struct verifier_state *st, uint32_t idx,
		    uint64_t key, bool forced, bool due)
{
	struct checkpoint **link = &env->explored[idx], *cp;

	while ((cp = *link)) {
		if (cp->frames_key == key) {
			env->stats.states_compared++;
			if (state_covers(env, cp->state, st, idx)) {
				cp->hits++;
				return true;
			}
			if (due && ++cp->misses && useless(cp, forced)) {
				*link = cp->next;
				state_free(cp->state);
				free(cp);
				continue;
			}
		}
		link = &cp->next;
	}
	return false;
}

/* Whether an ancestor at idx, in the same calls, is the same state. Inside
 * a callback, only within the same call of it: each call by its helper
 * starts anew, with the previous calls' checkpoints among its ancestors (the
 * kernel tells them apart by callback_unroll_depth too). */
static bool loops(struct types_env *env, const struct verifier_state *st, uint32_t idx,
		  uint64_t key, uint64_t hash)
{
	for (const struct checkpoint *cp = *active_bucket(env, idx, hash); cp; cp = cp->next) {
		if (cp->idx != idx || cp->hash != hash || cp->frames_key != key ||
		    cp->state->callback_unroll_depth != st->callback_unroll_depth)
			continue;
		env->stats.states_compared++;
		if (state_equal(env, cp->state, st, idx))
			return true;
	}
	return false;
}

/* How far back covered_by_ancestor() looks: the last few calls of the
 * callback, within a bounded walk up the path (a callback that never
 * converges runs into the budget, not into a quadratic search). */
#define CALLBACK_ANCESTORS_MAX 4u
#define CALLBACK_ANCESTOR_HOPS_MAX 1024u

/* Back at a helper from its callback: whether one of the last ancestors at
 * the helper covers st (the helper bounds its calls). If none does, st's
 * scalars that the nearest one does not cover are widened, and the
 * question is asked again: a callback that accumulates converges in a few
 * calls. */
static bool covered_by_ancestor(struct types_env *env, struct verifier_state *st,
				uint32_t idx, uint64_t key)
{
	const struct checkpoint *seen[CALLBACK_ANCESTORS_MAX];
	uint32_t seen_cnt = 0, hops = 0;

	for (const struct checkpoint *cp = env->parent;
	     cp && seen_cnt < CALLBACK_ANCESTORS_MAX && hops < CALLBACK_ANCESTOR_HOPS_MAX;
	     cp = cp->parent, hops++) {
		if (cp->idx != idx || cp->frames_key != key)
			continue;
		env->stats.states_compared++;
		if (state_covers(env, cp->state, st, idx))
			return true;
		seen[seen_cnt++] = cp;
	}
	if (!seen_cnt || !state_widen_scalars(seen[0]->state, st))
		return false;
	for (uint32_t i = 0; i < seen_cnt; i++)
		if (state_covers(env, seen[i]->state, st, idx))
			return true;
	return false;
}

/* At a join: 1 if the path may stop, 0 if it goes on, or a negative errno
 * (an infinite loop, ENOMEM). `from_callback`: st is back at the helper
 * from its callback. */
static int visit_join(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      bool from_callback)
{
	uint64_t key = state_frames_key(st), hash = state_hash(env, st, idx);
	bool forced = passes_callback(env, st, idx), in_loop = env->active_cnt[idx] > 0;
	bool due = checkpoint_due(env, in_loop, forced);

	if (covered(env, st, idx, key, forced, due))
		return 1;
	if (in_loop && from_callback && covered_by_ancestor(env, st, idx, key))
		return 1;
	if (in_loop && !from_callback && loops(env, st, idx, key, hash))
		return types_error(env, idx, -EINVAL, "infinite loop detected at insn %u", idx);
	if (!due)
		return 0;
	return add_checkpoint(env, st, idx, key, hash);
}

/* One instruction: 0 and *next, or a negative errno. */
static int step(struct types_env *env, struct verifier_state *st, uint32_t idx, uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];

	*next = idx + 1;
	switch (isa_class(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return types_step_alu(env, st, idx);
	case BPF_JMP:
	case BPF_JMP32:
		env->jumps_processed++;
		return types_step_jmp(env, st, idx, next);
	case BPF_LD:
		if (isa_is_lddw(insn->code))
			*next = idx + 2;
		return types_step_ld(env, st, idx, next);
	default:
		return types_step_mem(env, st, idx);
	}
}

static int follow_path(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	bool from_callback = false;

	for (;;) {
		uint32_t next;
		bool callback_exit;
		int err;

		if (env->aux[idx].prune_point) {
			err = visit_join(env, st, idx, from_callback);
			if (err < 0)
				return err;
			if (err == 1) {
				env->stats.states_pruned++;
				types_log_pruned(env, idx);
				path_ended(env);
				return 0;
			}
		}
		if (++env->stats.insns_processed > TYPES_INSN_BUDGET)
			return types_error(env, idx, -E2BIG,
					   "BPF program is too large. Processed %llu insn",
					   (unsigned long long)env->stats.insns_processed);
		types_log_insn_start(env, st, idx);
		env->aux[idx].seen = true;
		callback_exit = isa_is_exit(&env->prog->insns[idx]) && state_frame(st)->callback;
		err = step(env, st, idx, &next);
		if (err)
			return err;
		types_log_insn(env, st, idx);
		if (next == UINT32_MAX) {
			path_ended(env);
			return 0;
		}
		from_callback = callback_exit;
		idx = next;
	}
}

/* The state at the entry: r1 the context, r10 the frame. A program type
 * without context fields (raw) has plain memory of the size the program was
 * loaded for (bpfvm_prog_opts.ctx_size) as its context, and r2 the length
 * of the buffer. */
static struct verifier_state *entry_state(const struct types_env *env)
{
	struct verifier_state *st = calloc(1, sizeof(*st));
	struct reg_state *regs;

	if (!st || !(st->frames[0] = func_state_new(0, 0, 0))) {
		state_free(st);
		return NULL;
	}
	regs = state_frame(st)->regs;
	if (env->prog->progtype->ctx_access) {
		reg_mark_pointer(&regs[BPF_REG_1], REG_PTR_TO_CTX, 0);
		return st;
	}
	/* r2, the length of the buffer a run passes: at least ctx_size, at
	 * most 32 bits (bpfvm_prog_run_raw refuses others) */
	reg_mark_pointer(&regs[BPF_REG_1], REG_PTR_TO_MEM, 0);
	regs[BPF_REG_1].mem_size = env->prog->raw_ctx_size;
	reg_mark_unknown_bits(&regs[BPF_REG_2], 32);
	regs[BPF_REG_2].umin = regs[BPF_REG_2].u32_min = env->prog->raw_ctx_size;
	regs[BPF_REG_2].smin = env->prog->raw_ctx_size;
	return st;
}

int types_walk(struct types_env *env)
{
	struct verifier_state *st = entry_state(env);
	int err;

	if (!st)
		return types_error(env, 0, -ENOMEM, "out of memory");
	env->parent = NULL;
	err = follow_path(env, st, 0);
	state_free(st);
	while (!err && env->pending_cnt) {
		struct pending_path path = env->pending[--env->pending_cnt];

		types_log_path_start(env, &path);
		env->parent = path.parent;
		err = follow_path(env, path.state, path.idx);
		state_free(path.state);
	}
	while (env->pending_cnt)
		state_free(env->pending[--env->pending_cnt].state);
	return err;
}
