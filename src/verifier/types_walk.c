/* The path exploration: every path from the entry, one at a time, depth
 * first, with a worklist of the paths still to follow (the other side of
 * each branch).
 *
 *   state ──step──► state ──step──► ... ──► exit of the main program: path done
 *     │ at a join (prune point):
 *     ├─ covered by a checkpoint kept there?  the path stops (pruned)
 *     └─ otherwise, a copy is kept as a new checkpoint, and the path goes on
 *
 * A join is an instruction that more than one path may reach: a jump target,
 * the fall-through of a conditional jump, a call or the return site of one.
 * Checkpoints are kept only every few jumps, as the kernel does.
 * Past WIDEN_SCALARS_AFTER checkpoints at one instruction, scalars that
 * differ from the last checkpoint become unknown; past WIDEN_POINTERS_AFTER,
 * pointer offsets too (state_prune.c): loops and long chains of branches
 * converge. The budget counts stepped instructions, as the kernel's
 * BPF_COMPLEXITY_LIMIT_INSNS. */
#include <errno.h>
#include <stdlib.h>

#include "verifier/state_prune.h"
#include "verifier/types_env.h"

#define TYPES_INSN_BUDGET 1000000u
#define WIDEN_SCALARS_AFTER 64u
#define WIDEN_POINTERS_AFTER 128u

int types_push_path(struct types_env *env, const struct verifier_state *st, uint32_t idx)
{
	struct verifier_state *copy;

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
	env->pending[env->pending_cnt] = (struct pending_path){ .state = copy, .idx = idx };
	types_log_path_queued(env, &env->pending[env->pending_cnt++]);
	if (env->pending_cnt > env->stats.peak_pending)
		env->stats.peak_pending = env->pending_cnt;
	return 0;
}

static const struct checkpoint *last_with_same_frames(const struct checkpoint *cp,
						      const struct verifier_state *st, uint64_t key)
{
	for (; cp; cp = cp->next)
		if (cp->frames_key == key && state_same_frames(cp->state, st))
			return cp;
	return NULL;
}

static bool covered(const struct types_env *env, const struct verifier_state *st, uint32_t idx,
		    uint64_t key)
{
	for (const struct checkpoint *cp = env->explored[idx]; cp; cp = cp->next)
		if (cp->frames_key == key && state_covers(env, cp->state, st, idx))
			return true;
	return false;
}

/* Whether a new checkpoint is worth its memory: as the kernel, only after
 * at least 2 jumps and 8 instructions since the last one (straight runs
 * between close joins rarely help pruning). */
static bool checkpoint_due(const struct types_env *env)
{
	return env->jumps_processed - env->jumps_at_last_checkpoint >= 2 &&
	       env->stats.insns_processed - env->insns_at_last_checkpoint >= 8;
}

/* At a join: 1 if the path may stop, 0 if it goes on (st possibly widened,
 * and kept as a checkpoint), or -ENOMEM. */
static int visit_join(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct checkpoint *last;
	struct checkpoint *cp;
	uint32_t seen = env->explored_cnt[idx];
	uint64_t key = state_frames_key(st);

	if (covered(env, st, idx, key))
		return 1;
	last = seen >= WIDEN_SCALARS_AFTER ? last_with_same_frames(env->explored[idx], st, key) : NULL;
	if (last && state_widen(env, last->state, st, idx, seen >= WIDEN_POINTERS_AFTER) &&
	    covered(env, st, idx, key))
		return 1;
	if (!checkpoint_due(env))
		return 0;
	env->insns_at_last_checkpoint = env->stats.insns_processed;
	env->jumps_at_last_checkpoint = env->jumps_processed;
	cp = malloc(sizeof(*cp));
	if (cp)
		cp->state = state_dup(st);
	if (!cp || !cp->state) {
		free(cp);
		return types_error(env, idx, -ENOMEM, "out of memory");
	}
	cp->frames_key = key;
	cp->next = env->explored[idx];
	env->explored[idx] = cp;
	/* As the kernel counts it: the states already kept there. */
	if (env->explored_cnt[idx] > env->stats.max_states_per_insn)
		env->stats.max_states_per_insn = env->explored_cnt[idx];
	env->explored_cnt[idx]++;
	env->stats.states_stored++;
	return 0;
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
		return types_step_ld(env, st, idx);
	default:
		return types_step_mem(env, st, idx);
	}
}

static int follow_path(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	for (;;) {
		uint32_t next;
		int err;

		if (env->aux[idx].prune_point) {
			err = visit_join(env, st, idx);
			if (err < 0)
				return err;
			if (err == 1) {
				env->stats.states_pruned++;
				types_log_pruned(env, idx);
				return 0;
			}
		}
		if (++env->stats.insns_processed > TYPES_INSN_BUDGET)
			return types_error(env, idx, -E2BIG,
					   "BPF program is too large. Processed %u insn",
					   TYPES_INSN_BUDGET);
		types_log_insn_start(env, st, idx);
		err = step(env, st, idx, &next);
		if (err)
			return err;
		types_log_insn(env, st, idx);
		if (next == UINT32_MAX)
			return 0;
		idx = next;
	}
}

int types_walk(struct types_env *env)
{
	struct verifier_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st || !(st->frames[0] = func_state_new(0, 0, 0))) {
		state_free(st);
		return types_error(env, 0, -ENOMEM, "out of memory");
	}
	reg_mark_pointer(&state_frame(st)->regs[BPF_REG_1], REG_PTR_TO_CTX, 0);
	err = follow_path(env, st, 0);
	state_free(st);
	while (!err && env->pending_cnt) {
		struct pending_path path = env->pending[--env->pending_cnt];

		types_log_path_start(env, &path);
		err = follow_path(env, path.state, path.idx);
		state_free(path.state);
	}
	while (env->pending_cnt)
		state_free(env->pending[--env->pending_cnt].state);
	return err;
}
