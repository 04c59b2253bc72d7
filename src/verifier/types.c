/* Type tracking: the entry point. It prepares the exploration (joins,
 * register liveness and precision), runs it (types_walk.c) for every
 * program, raw ones too (their context is plain memory), and only when
 * every path is verified rewrites the context accesses (in place, or
 * patched into several instructions for a guarded store), so that a
 * refused program keeps its instructions as loaded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "helpers/helper_proto.h"
#include "progtypes/progtype.h"
#include "verifier/dead_code.h"
#include "verifier/insn_patch.h"
#include "verifier/liveness.h"
#include "verifier/structure.h"
#include "verifier/precision.h"
#include "verifier/types.h"
#include "verifier/types_env.h"

int types_check_reg_init(struct types_env *env, struct verifier_state *st, uint32_t idx,
			 uint8_t regno)
{
	if (state_frame(st)->regs[regno].type == REG_NOT_INIT)
		return types_error(env, idx, -EACCES, "R%u !read_ok", regno);
	return 0;
}

int types_check_reg_write(struct types_env *env, uint32_t idx, uint8_t regno)
{
	if (regno == BPF_REG_10)
		return types_error(env, idx, -EACCES, "frame pointer is read only");
	return 0;
}

/* Whether a helper call may call a callback (bpf_loop, for_each_map_elem,
 * ...): one of its arguments is a function. */
static bool calls_callback(const struct bpf_insn *insn)
{
	const struct helper_proto *proto;

	if (isa_is_local_call(insn) || insn->src_reg)
		return false;
	proto = helper_builtin_proto((uint32_t)insn->imm);
	if (!proto)
		return false;
	for (int a = 0; a < 5; a++)
		if (proto->args[a] == ARG_PTR_TO_FUNC)
			return true;
	return false;
}

/* Joins, where states are compared, as Linux 6.18's check_cfg marks its
 * prune points (visit_insn, and push_insn for every BRANCH edge): a
 * conditional jump itself and its target, the target of an unconditional
 * one, the instruction after a call, a local call itself and its callee's
 * entry, a helper call that may call a callback, and the lddw of a function,
 * the function's entry and the instruction after it. Where they are decides
 * where loops are caught ("infinite loop detected at insn N") and how many
 * instructions are processed, so they are the kernel's, but for the target
 * of a backward conditional jump: there bpfvm, which compares only live
 * registers for equality, would name a loop one instruction before the
 * kernel does (catalogue bpf_loop_callback_spins: the kernel says 15). */
static void mark_prune_points(struct types_env *env)
{
	const struct bpfvm_prog *prog = env->prog;

	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		const struct bpf_insn *insn = &prog->insns[idx];
		uint32_t after = idx + (isa_is_lddw(insn->code) ? 2 : 1);
		bool call = isa_is_jmp(insn->code) && isa_op(insn->code) == BPF_CALL;

		if (call || (isa_is_lddw(insn->code) && insn->src_reg == BPF_PSEUDO_FUNC)) {
			if (after < prog->insn_cnt)
				env->aux[after].prune_point = true;
			if (!call || isa_is_local_call(insn) || calls_callback(insn))
				env->aux[idx].prune_point = true;
			if (!call || isa_is_local_call(insn))
				env->aux[idx + insn->imm + 1].prune_point = true;
		} else if (isa_is_jmp(insn->code) && isa_op(insn->code) == BPF_JA) {
			env->aux[isa_jump_target(insn, idx)].prune_point = true;
		} else if (isa_is_jmp(insn->code) && isa_op(insn->code) != BPF_EXIT) {
			env->aux[idx].prune_point = true;
			if (isa_jump_target(insn, idx) > idx)
				env->aux[isa_jump_target(insn, idx)].prune_point = true;
		}
		idx = after - 1;
	}
}

uint32_t types_env_tables(struct types_env *env, struct verifier_insn_table *tables)
{
	tables[0] = (struct verifier_insn_table){ (void **)&env->aux, sizeof(*env->aux) };
	tables[1] = (struct verifier_insn_table){ (void **)&env->live, sizeof(*env->live) };
	tables[2] = (struct verifier_insn_table){ (void **)&env->live_slots,
						  sizeof(*env->live_slots) };
	tables[3] = (struct verifier_insn_table){ (void **)&env->explored,
						  sizeof(*env->explored) };
	tables[4] = (struct verifier_insn_table){ (void **)&env->precise,
						  sizeof(*env->precise) };
	tables[5] = (struct verifier_insn_table){ (void **)&env->precise_slots,
						  sizeof(*env->precise_slots) };
	tables[6] = (struct verifier_insn_table){ (void **)&env->active_cnt,
						  sizeof(*env->active_cnt) };
	return 7;
}

/* A store with a guard (ctx_rewrite.store_limit), as bpf_convert_ctx_access
 * emits it: an immediate at or above the limit makes the store a no-op
 * (ja +0), a register gets `if src >= limit goto +1` before the store.
 * *len is how many instructions the store has become. */
static int guard_store(struct types_env *env, uint32_t idx, uint32_t *len)
{
	struct bpfvm_prog *prog = env->prog;
	struct bpf_insn store = prog->insns[idx];
	uint32_t limit = env->aux[idx].rewrite.store_limit;
	struct verifier_insn_table tables[TYPES_ENV_TABLES];
	struct bpf_insn patch[2] = {
		{ .code = BPF_JMP | BPF_JGE | BPF_K, .dst_reg = store.src_reg, .off = 1,
		  .imm = (int32_t)limit },
		store,
	};

	*len = 1;
	if (isa_class(store.code) == BPF_ST) {
		if (store.imm >= (int32_t)limit)
			prog->insns[idx] = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
		return 0;
	}
	*len = 2;
	return verifier_patch_insn(prog, idx, patch, 2, tables, types_env_tables(env, tables));
}

static int apply_rewrites(struct types_env *env)
{
	struct bpfvm_prog *prog = env->prog;
	uint32_t len;
	int err;

	for (uint32_t idx = 0; idx < prog->insn_cnt; idx += len) {
		struct bpf_insn *insn = &prog->insns[idx];
		const struct ctx_rewrite *rewrite = &env->aux[idx].rewrite;

		len = 1;
		if (!env->aux[idx].ctx_access)
			continue;
		if (rewrite->size & ~0x18)
			return types_error(env, idx, -EINVAL,
					   "program type '%s' rewrote a context access to size code 0x%x",
					   prog->progtype->name, rewrite->size);
		insn->code = (uint8_t)((insn->code & ~0x18) | rewrite->size);
		/* A sign-extending load widened to 64 bits has nothing to extend
		 * (and BPF_MEMSX has no 64-bit form). */
		if (isa_mode(insn->code) == BPF_MEMSX && rewrite->size == BPF_DW)
			insn->code = (uint8_t)((insn->code & ~0xe0) | BPF_MEM);
		insn->off = rewrite->off;
		if (rewrite->store_limit && isa_class(insn->code) != BPF_LDX) {
			err = guard_store(env, idx, &len);
			if (err)
				return err;
		}
	}
	return 0;
}

static void free_checkpoints(struct checkpoint *cp)
{
	while (cp) {
		struct checkpoint *next = cp->next;

		state_free(cp->state);
		free(cp);
		cp = next;
	}
}

/* The pruning checkpoints serve the walk only. Freed before dead-code
 * removal, which slides the per-instruction tables over removed instructions:
 * a removed `ja +0` that was a prune point would otherwise lose its list. */
static void free_explored(struct types_env *env)
{
	for (uint32_t idx = 0; env->explored && idx < env->prog->insn_cnt; idx++) {
		free_checkpoints(env->explored[idx]);
		env->explored[idx] = NULL;
	}
}

static void env_release(struct types_env *env)
{
	free_explored(env);
	for (uint32_t i = 0; env->active && i < TYPES_ACTIVE_BUCKETS; i++)
		free_checkpoints(env->active[i]);
	free(env->explored);
	free(env->active);
	free(env->active_cnt);
	free(env->stack_used);
	free(env->aux);
	free(env->live);
	free(env->live_slots);
	free(env->precise);
	free(env->precise_slots);
	free(env->pending);
}

/* The static depths (stack_depth.c) see the accesses made through r10 and
 * the pointers derived from it in the frame's own code; a callee or a
 * callback handed a pointer into its caller's frame may reach deeper. Each
 * frame gets what the exploration saw it touched, and the call chains are
 * checked again against the 512-byte limit with the new depths. */
static int grow_stack_depths(struct types_env *env)
{
	struct bpfvm_prog *prog = env->prog;
	bool grown = false;

	for (uint32_t i = 0; i < prog->subprog_cnt; i++) {
		uint32_t used = (env->stack_used[i] + 15) & ~15u;

		if (used > prog->subprogs[i].stack_depth) {
			prog->subprogs[i].stack_depth = used;
			grown = true;
		}
	}
	return grown ? verifier_check_call_graph(prog) : 0;
}

int verifier_track_types_stats(struct bpfvm_prog *prog, struct types_stats *stats)
{
	struct types_env env = { .prog = prog };
	int err;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	env.aux = calloc(prog->insn_cnt, sizeof(*env.aux));
	env.explored = calloc(prog->insn_cnt, sizeof(*env.explored));
	env.active_cnt = calloc(prog->insn_cnt, sizeof(*env.active_cnt));
	env.stack_used = calloc(prog->subprog_cnt, sizeof(*env.stack_used));
	env.active = calloc(TYPES_ACTIVE_BUCKETS, sizeof(*env.active));
	env.live = verifier_reg_liveness(prog);
	env.live_slots = verifier_stack_liveness(prog);
	err = verifier_precision(prog, &env.precise, &env.precise_slots);
	if (err || !env.aux || !env.explored || !env.active_cnt || !env.stack_used || !env.active ||
	    !env.live ||
	    !env.live_slots) {
		err = types_error(&env, 0, -ENOMEM, "out of memory");
	} else {
		mark_prune_points(&env);
		err = types_walk(&env);
		if (!err)
			err = grow_stack_depths(&env);
		free_explored(&env);
		if (!err)
			err = types_remove_dead_code(&env);
		if (!err)
			err = apply_rewrites(&env);
		if (!err) {
			prog->max_ctx_offset = env.max_ctx_offset;
			prog->max_rdonly_access = env.max_rdonly_access;
			prog->max_rdwr_access = env.max_rdwr_access;
		}
	}
	if (stats)
		*stats = env.stats;
	env_release(&env);
	return err;
}

int verifier_track_types(struct bpfvm_prog *prog)
{
	return verifier_track_types_stats(prog, NULL);
}
