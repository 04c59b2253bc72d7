/* Control flow on abstract states: unconditional jumps, local calls into
 * new frames, and exits; conditional jumps are in types_branch.c, helper
 * calls in types_helper.c. */
#include <errno.h>
#include <string.h>

#include "verifier/structure.h"
#include "verifier/types_env.h"

void types_clobber_caller_saved(struct func_state *frame)
{
	for (int r = BPF_REG_0; r <= BPF_REG_5; r++)
		reg_mark_not_init(&frame->regs[r]);
}

static int local_call(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint32_t target = (uint32_t)isa_jump_target(insn, idx);
	struct func_state *caller = state_frame(st), *callee;
	uint32_t frameno = st->curframe + 1;

	if (frameno >= ISA_MAX_CALL_FRAMES)
		return types_error(env, idx, -E2BIG, "the call stack of %u frames is too deep !",
				   frameno + 1);
	callee = func_state_new(frameno, idx,
				(uint32_t)(prog_subprog_of(env->prog, target) - env->prog->subprogs));
	if (!callee)
		return types_error(env, idx, -ENOMEM, "out of memory");
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		callee->regs[r] = caller->regs[r];
	types_clobber_caller_saved(caller);
	st->frames[frameno] = callee;
	st->curframe = frameno;
	*next = target;
	return 0;
}

int types_func_exit(struct types_env *env, struct verifier_state *st, uint32_t idx,
		    uint32_t *next)
{
	struct func_state *callee = state_frame(st), *caller;
	int err;

	/* The kernel (prepare_func_exit) hands a subprogram's R0 back to its
	 * caller as it is, initialised or not: a void __noinline function
	 * exits without setting it, and only a caller that reads R0 is
	 * refused. The program's own exit and a callback's need a value. */
	if (st->curframe == 0 || callee->callback) {
		err = types_check_reg_init(env, st, idx, BPF_REG_0);
		if (!err)
			err = types_check_return(env, st, idx);
		if (err)
			return err;
	}
	if (st->curframe == 0) {
		*next = UINT32_MAX;
		return 0;
	}
	if (reg_base_type(&callee->regs[BPF_REG_0]) == REG_PTR_TO_STACK &&
	    callee->regs[BPF_REG_0].frameno == callee->frameno)
		return types_error(env, idx, -EINVAL, "cannot return stack pointer to the caller");
	caller = st->frames[st->curframe - 1];
	if (callee->callback) {
		*next = callee->callsite; /* back to the helper, which may call again */
	} else {
		caller->regs[BPF_REG_0] = callee->regs[BPF_REG_0];
		/* A tail call that succeeds ends the subprogram with the
		 * target's exit, whose R0 comes back here: the walk follows
		 * only the failed call, so R0 is unknown (as the kernel's
		 * walk has it: tests/kdiff tail_call_in_subprog_*.s). */
		if (verifier_subprog_has_tail_call(env->prog, &env->prog->subprogs[callee->subprog]))
			reg_mark_unknown(&caller->regs[BPF_REG_0]);
		*next = callee->callsite + 1;
	}
	func_state_free(callee);
	st->frames[st->curframe] = NULL;
	st->curframe--;
	return 0;
}

int types_step_jmp(struct types_env *env, struct verifier_state *st, uint32_t idx,
		   uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];

	switch (isa_op(insn->code)) {
	case BPF_JA:
		*next = (uint32_t)isa_jump_target(insn, idx);
		return 0;
	case BPF_EXIT:
		return types_func_exit(env, st, idx, next);
	case BPF_CALL:
		if (isa_is_local_call(insn))
			return local_call(env, st, idx, next);
		if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
			return types_step_kfunc_call(env, st, idx);
		return types_step_helper_call(env, st, idx);
	default:
		return types_step_cond_jump(env, st, idx, next);
	}
}
