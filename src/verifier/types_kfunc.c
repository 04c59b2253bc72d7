/* Calls of runtime functions (kfuncs, `call` src_reg=2), as the kernel's
 * check_kfunc_call: the arguments against the prototype the function was
 * registered with (helper_args.c, as a helper's; a scalar is a number,
 * never a pointer; __k and __szk ones known numbers; __ign ones not looked
 * at), the RCU read section
 * pairing of bpf_rcu_read_lock / unlock, caller-saved registers clobbered
 * and r0 typed from the return kind. */
#include <errno.h>

#include "core/runtime.h"
#include "helpers/kfunc_table.h"
#include "verifier/helper_call.h"
#include "verifier/refs.h"

/* r0 after the call (the kernel's mark of a kfunc's return: a scalar,
 * nothing, or PTR_TO_MEM | PTR_MAYBE_NULL of the declared size). */
static void kfunc_result(struct types_env *env, const struct kfunc_entry *kfunc,
			 struct reg_state *r0)
{
	switch (kfunc->proto.ret) {
	case RET_VOID:
		reg_mark_not_init(r0);
		break;
	case RET_PTR_TO_MEM_OR_NULL:
		reg_mark_pointer(r0, REG_PTR_TO_MEM | REG_MAYBE_NULL, 0);
		r0->mem_size = kfunc->proto.ret_mem_size;
		r0->id = ++env->next_id;
		break;
	default:
		reg_mark_unknown(r0);
		break;
	}
}

/* check_kfunc_args' rules beyond a helper's: a scalar takes a number only
 * (btf_type_is_scalar; unlike a helper's ARG_ANYTHING, a pointer there
 * would hand the function an address it never asked for), a constant
 * (__k) or a constant size (__szk, after its memory's check) a number the
 * verifier knows. */
static int kfunc_arg_rules(struct types_env *env, const struct func_state *frame, uint32_t idx,
			   const struct kfunc_entry *kfunc)
{
	for (uint8_t i = 0; i < 5; i++) {
		enum bpfvm_kfunc_arg arg = kfunc->args[i];
		const struct reg_state *reg = &frame->regs[BPF_REG_1 + i];
		bool scalar = arg == BPFVM_KFUNC_ARG_SCALAR || arg == BPFVM_KFUNC_ARG_CONST;

		if (scalar && reg->type != REG_SCALAR)
			return types_error(env, idx, -EINVAL, "R%u is not a scalar", BPF_REG_1 + i);
		if ((arg == BPFVM_KFUNC_ARG_CONST || arg == BPFVM_KFUNC_ARG_MEM_SIZE_CONST) &&
		    !tnum_is_const(reg->var_off))
			return types_error(env, idx, -EINVAL, "R%u must be a known constant",
					   BPF_REG_1 + i);
	}
	return 0;
}

/* The helper rules for the arguments a helper's prototype can say: an
 * ignored one (__ign) is not looked at, not even for being set. */
static int kfunc_helper_args(struct types_env *env, struct verifier_state *st,
			     struct helper_call *call, const struct kfunc_entry *kfunc)
{
	struct helper_proto proto = kfunc->proto;
	int err;

	for (int i = 0; i < 5; i++)
		if (kfunc->args[i] == BPFVM_KFUNC_ARG_IGNORED)
			proto.args[i] = ARG_NONE;
	call->proto = &proto;
	err = helper_check_args(env, st, call);
	call->proto = &kfunc->proto; /* not the local copy past this call */
	return err;
}

static int kfunc_pairing(struct types_env *env, struct verifier_state *st, uint32_t idx,
			 const struct kfunc_entry *kfunc)
{
	switch (kfunc->pairing) {
	case KFUNC_PAIR_RCU_LOCK:
		return refs_rcu_lock(env, st, idx, true);
	case KFUNC_PAIR_RCU_UNLOCK:
		return refs_rcu_lock(env, st, idx, false);
	default:
		return 0;
	}
}

int types_step_kfunc_call(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	const struct kfunc_entry *kfunc = kfunc_table_find(&env->prog->vm->kfuncs,
							   (uint32_t)insn->imm);
	struct helper_call call = { .idx = idx, .func_id = (int32_t)KFUNC_PROTO_ID,
				    .const_key = -1 };
	struct func_state *frame = state_frame(st);
	int err;

	if (!kfunc) /* the structural check refused it: kept for safety */
		return types_error(env, idx, -EINVAL, "kernel function %d is not registered",
				   insn->imm);
	if (refs_holds_lock(st))
		return types_error(env, idx, -EINVAL,
				   "function calls are not allowed while holding a lock");
	if (kfunc->proto.gpl_only && !env->prog->gpl_compatible)
		return types_error(env, idx, -EINVAL,
				   "cannot call kernel function from non-GPL compatible program");
	call.name = kfunc->name;
	err = kfunc_helper_args(env, st, &call, kfunc);
	if (!err)
		err = kfunc_arg_rules(env, frame, idx, kfunc);
	if (!err)
		err = kfunc_pairing(env, st, idx, kfunc);
	if (err)
		return err;
	types_clobber_caller_saved(frame);
	kfunc_result(env, kfunc, &frame->regs[BPF_REG_0]);
	return 0;
}
