/* Code the walk proved dead, hard-wired and removed after a verified walk,
 * as the kernel does for a privileged load (bpfvm's always are):
 * opt_hard_wire_dead_code_branches, opt_remove_dead_code, opt_remove_nops.
 *
 *   if r8 == 2 goto +1    the walk never fell through    ->  ja +1  ->  (gone)
 *   goto default          never reached                  ->  (gone)
 *   r0 = ...              the case
 *
 * Both engines then run the shorter stream: fewer instructions, fewer
 * branches, and what `prog dump xlated` shows is the kernel's. The log was
 * written during the walk, so it names the instructions as loaded, as the
 * kernel's does; what comes after (the context rewrites' messages, run-time
 * errors) names the instructions as they are now, as `prog dump xlated`
 * shows them. Before the context rewrites, as in the kernel's bpf_check. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "isa/isa.h"
#include "verifier/dead_code.h"
#include "verifier/insn_patch.h"

static bool is_cond_jump(const struct bpf_insn *insn)
{
	uint8_t op = isa_op(insn->code);

	return isa_is_jmp(insn->code) && op != BPF_JA && op != BPF_CALL && op != BPF_EXIT &&
	       op != 0xe0; /* BPF_JCOND (may_goto): not a test of registers */
}

/* A conditional jump that no path took one way becomes a jump the other
 * way (`ja +0` when it is never taken), so that code the walk never
 * checked cannot run. Such code can be reached when the walk's knowledge is
 * not the run's: a subprogram that tail-calls returns the target's R0 to
 * its caller, where the walk follows only the failed tail call (as the
 * kernel's does). */
static void hard_wire_dead_branches(struct types_env *env)
{
	struct bpfvm_prog *prog = env->prog;

	for (uint32_t idx = 0; idx + 1 < prog->insn_cnt; idx++) {
		struct bpf_insn *insn = &prog->insns[idx];
		int64_t target = (int64_t)idx + 1 + insn->off;

		if (!env->aux[idx].seen || !is_cond_jump(insn) || target < 0 ||
		    target >= (int64_t)prog->insn_cnt)
			continue;
		if (!env->aux[idx + 1].seen)
			*insn = (struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = insn->off };
		else if (!env->aux[target].seen)
			*insn = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
	}
}

/* Keeps the whole subprogram at `start` if its code was not kept. */
static bool keep_subprog_at(const struct bpfvm_prog *prog, bool *keep, int64_t start)
{
	const struct subprog *sub;

	if (start < 0 || start >= prog->insn_cnt || keep[start])
		return false;
	sub = prog_subprog_of(prog, (uint32_t)start);
	for (uint32_t i = sub->start; i < sub->end; i++)
		keep[i] = true;
	return true;
}

/* Which instructions stay: those the walk reached, with their lddw's
 * second half. A function whose address a kept lddw takes but that no
 * helper the walk knows called (so the walk never entered it) stays whole,
 * with what it calls: removing it would leave the address pointing at
 * whatever code came next. */
static bool *kept_insns(const struct types_env *env)
{
	const struct bpfvm_prog *prog = env->prog;
	bool *keep = calloc(prog->insn_cnt, sizeof(*keep)), grew = true;

	if (!keep)
		return NULL;
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		keep[i] = env->aux[i].seen;
		if (keep[i] && isa_is_lddw(prog->insns[i].code) && i + 1 < prog->insn_cnt)
			keep[++i] = true;
	}
	while (grew) {
		grew = false;
		for (uint32_t i = 0; i < prog->insn_cnt; i++) {
			const struct bpf_insn *insn = &prog->insns[i];

			if (!keep[i])
				continue;
			if (isa_is_local_call(insn))
				grew |= keep_subprog_at(prog, keep, isa_jump_target(insn, i));
			else if (isa_is_lddw(insn->code) && insn->src_reg == BPF_PSEUDO_FUNC)
				grew |= keep_subprog_at(prog, keep, (int64_t)i + 1 + insn->imm);
		}
	}
	return keep;
}

/* Removes each run of instructions not kept (opt_remove_dead_code). */
static int remove_unkept(struct types_env *env, bool *keep)
{
	struct bpfvm_prog *prog = env->prog;
	struct verifier_insn_table tables[TYPES_ENV_TABLES + 1];
	uint32_t table_cnt = types_env_tables(env, tables);
	int err;

	tables[table_cnt++] = (struct verifier_insn_table){ (void **)&keep, sizeof(*keep) };
	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		uint32_t cnt = 0;

		while (i + cnt < prog->insn_cnt && !keep[i + cnt])
			cnt++;
		if (!cnt)
			continue;
		err = verifier_remove_insns(prog, i, cnt, tables, table_cnt);
		if (err)
			return err;
	}
	return 0;
}

/* Removes every `ja +0` (opt_remove_nops): a never-taken branch after
 * hard-wiring, or one the compiler left. */
static int remove_nops(struct types_env *env)
{
	static const struct bpf_insn nop = { .code = BPF_JMP | BPF_JA };
	struct bpfvm_prog *prog = env->prog;
	struct verifier_insn_table tables[TYPES_ENV_TABLES];
	uint32_t table_cnt = types_env_tables(env, tables);
	int err;

	for (uint32_t i = 0; i < prog->insn_cnt; i++) {
		if (memcmp(&prog->insns[i], &nop, sizeof(nop)))
			continue;
		err = verifier_remove_insns(prog, i, 1, tables, table_cnt);
		if (err)
			return err;
		i--; /* the next one is at i now (from 0: wraps, and the ++ brings it back) */
	}
	return 0;
}

int types_remove_dead_code(struct types_env *env)
{
	bool *keep;
	int err;

	hard_wire_dead_branches(env);
	keep = kept_insns(env);
	if (!keep)
		return types_error(env, 0, -ENOMEM, "out of memory");
	err = remove_unkept(env, keep);
	free(keep);
	return err ? err : remove_nops(env);
}
