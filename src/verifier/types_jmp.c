/* Control flow on abstract states: conditional jumps (both ways, unless
 * constants decide; NULL checks refine both ways), helper calls, local calls
 * into new frames, and exits. */
#include <errno.h>
#include <string.h>

#include "core/runtime.h"
#include "helpers/helper_proto.h"
#include "helpers/helper_table.h"
#include "maps/map.h"
#include "verifier/types_env.h"

/* 1 taken, 0 not taken, -1 unknown: only constants decide for now. */
static int branch_taken(const struct bpf_insn *insn, const struct reg_state *dst,
			const struct reg_state *src)
{
	bool is32 = isa_class(insn->code) == BPF_JMP32;
	uint64_t a, b;
	int64_t sa, sb;

	if (!reg_is_const(dst) || !reg_is_const(src))
		return -1;
	a = dst->var_off.value;
	b = src->var_off.value;
	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
		sa = (int32_t)a;
		sb = (int32_t)b;
	} else {
		sa = (int64_t)a;
		sb = (int64_t)b;
	}
	switch (isa_op(insn->code)) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return sa > sb;
	case BPF_JSGE: return sa >= sb;
	case BPF_JSLT: return sa < sb;
	case BPF_JSLE: return sa <= sb;
	}
	return -1;
}

static void refine_null(struct reg_state *reg, uint32_t id, bool is_null)
{
	if (!(reg->type & REG_MAYBE_NULL) || reg->id != id)
		return;
	if (is_null) {
		reg_mark_const(reg, 0);
	} else {
		reg->type &= (uint16_t)~REG_MAYBE_NULL;
		reg->id = 0;
	}
}

/* After `if ptr == 0`: in every frame, the copies of ptr (same id) become 0
 * on the NULL side and lose the NULL possibility on the other
 * (mark_ptr_or_null_regs). */
static void refine_null_everywhere(struct verifier_state *st, uint32_t id, bool is_null)
{
	for (uint32_t f = 0; f <= st->curframe; f++) {
		struct func_state *frame = st->frames[f];

		for (int r = 0; r < BPF_REG_10; r++)
			refine_null(&frame->regs[r], id, is_null);
		for (uint32_t i = 0; i < frame->slot_cnt; i++)
			if (frame->stack[i].bytes[0] == SLOT_SPILL)
				refine_null(&frame->stack[i].spilled, id, is_null);
	}
}

/* The path just queued (the jump) and st (the fall-through) learn from a
 * NULL check on pointer `id`. */
static void refine_both_ways(struct types_env *env, struct verifier_state *st, uint32_t id,
			     bool null_if_taken)
{
	refine_null_everywhere(env->pending[env->pending_cnt - 1].state, id, null_if_taken);
	refine_null_everywhere(st, id, !null_if_taken);
}

/* A `ptr ==/!= 0` test on a NULL-able pointer (64-bit compares only, as the
 * kernel): which register, or -1. */
static int null_check_reg(const struct bpf_insn *insn, const struct reg_state *dst,
			  const struct reg_state *src)
{
	uint8_t op = isa_op(insn->code);

	if (isa_class(insn->code) != BPF_JMP || (op != BPF_JEQ && op != BPF_JNE))
		return -1;
	if ((dst->type & REG_MAYBE_NULL) && reg_is_const(src) && src->var_off.value == 0)
		return insn->dst_reg;
	if ((src->type & REG_MAYBE_NULL) && reg_is_const(dst) && dst->var_off.value == 0)
		return insn->src_reg;
	return -1;
}

static int cond_jump(struct types_env *env, struct verifier_state *st, uint32_t idx,
		     uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	struct reg_state src_imm, *src = &src_imm;
	uint32_t target = (uint32_t)isa_jump_target(insn, idx);
	int err = types_check_reg_init(env, st, idx, insn->dst_reg);
	int taken, null_reg;

	if (err)
		return err;
	if (isa_source(insn->code) == BPF_X) {
		err = types_check_reg_init(env, st, idx, insn->src_reg);
		if (err)
			return err;
		src = &frame->regs[insn->src_reg];
	} else {
		reg_mark_const(&src_imm, (uint64_t)(int64_t)insn->imm);
	}
	taken = branch_taken(insn, &frame->regs[insn->dst_reg], src);
	if (taken == 1)
		*next = target;
	if (taken >= 0)
		return 0;
	null_reg = null_check_reg(insn, &frame->regs[insn->dst_reg], src);
	err = types_push_path(env, st, target);
	if (!err && null_reg >= 0)
		refine_both_ways(env, st, frame->regs[null_reg].id, isa_op(insn->code) == BPF_JEQ);
	return err;
}

static void clobber_caller_saved(struct func_state *frame)
{
	for (int r = BPF_REG_0; r <= BPF_REG_5; r++)
		reg_mark_not_init(&frame->regs[r]);
}

/* A callback's arguments, as the kernel's set_*_callback_state(): what the
 * helper passes, with the caller's callback context forwarded. */
static void callback_args(const struct func_state *caller, int32_t helper,
			  struct func_state *callee)
{
	struct reg_state *r = callee->regs;

	for (int i = BPF_REG_1; i <= BPF_REG_5; i++)
		reg_mark_unknown(&r[i]);
	switch (helper) {
	case BPF_FUNC_loop: /* long cb(u64 index, void *ctx) */
		r[BPF_REG_2] = caller->regs[BPF_REG_3];
		break;
	case BPF_FUNC_for_each_map_elem: /* long cb(map, key, value, ctx) */
		r[BPF_REG_1] = caller->regs[BPF_REG_1];
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_MEM, 0);
		reg_mark_pointer(&r[BPF_REG_3], REG_PTR_TO_MAP_VALUE, 0);
		r[BPF_REG_3].map = caller->regs[BPF_REG_1].map;
		r[BPF_REG_4] = caller->regs[BPF_REG_3];
		break;
	case BPF_FUNC_timer_set_callback: /* int cb(map, key, value) */
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_MEM, 0);
		reg_mark_pointer(&r[BPF_REG_3], REG_PTR_TO_MEM, 0);
		break;
	case BPF_FUNC_find_vma: /* long cb(task, vma, ctx) */
		reg_mark_pointer(&r[BPF_REG_1], REG_PTR_TO_KERNEL_OBJ, 0);
		reg_mark_pointer(&r[BPF_REG_2], REG_PTR_TO_KERNEL_OBJ, 0);
		r[BPF_REG_3] = caller->regs[BPF_REG_4];
		break;
	case BPF_FUNC_user_ringbuf_drain: /* long cb(dynptr, ctx) */
		reg_mark_pointer(&r[BPF_REG_1], REG_PTR_TO_MEM, 0);
		r[BPF_REG_2] = caller->regs[BPF_REG_3];
		break;
	}
}

/* A helper called with a function (lddw BPF_PSEUDO_FUNC) may call it, any
 * number of times: the callback runs in a new frame on a path of its own
 * and, at its exit, comes back to the helper call, which may call it again
 * or return (the kernel's model for bpf_loop and friends). The call is a
 * join, so the repetitions converge. */
static int queue_callback(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *caller = state_frame(st), *callee;
	uint32_t frameno = st->curframe + 1, start;
	int func_reg = 0, err;

	for (int r = BPF_REG_1; r <= BPF_REG_5 && !func_reg; r++)
		if (caller->regs[r].type == REG_PTR_TO_FUNC)
			func_reg = r;
	if (!func_reg)
		return 0;
	if (frameno >= ISA_MAX_CALL_FRAMES)
		return types_error(env, idx, -E2BIG, "the call stack of %u frames is too deep",
				   frameno + 1);
	start = env->prog->subprogs[caller->regs[func_reg].map].start;
	callee = func_state_new(frameno, idx, caller->regs[func_reg].map);
	if (!callee)
		return types_error(env, idx, -ENOMEM, "out of memory");
	callee->callback = true;
	callback_args(caller, insn->imm, callee);
	st->frames[frameno] = callee;
	st->curframe = frameno;
	err = types_push_path(env, st, start);
	st->frames[frameno] = NULL;
	st->curframe = frameno - 1;
	func_state_free(callee);
	return err;
}

/* Whether a lookup in the map that r1 holds yields an inner map. */
static bool is_map_of_maps(const struct types_env *env, const struct reg_state *map_reg)
{
	uint32_t type;

	if (reg_base_type(map_reg) != REG_CONST_PTR_TO_MAP || map_reg->map >= env->prog->map_cnt)
		return false;
	type = map_type(env->prog->maps[map_reg->map]);
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* r0 after a helper, from its prototype's return type (the kernel's
 * check_helper_call); helpers registered by users return RET_INTEGER.
 * `args` are the registers before the call. */
static void helper_result(struct types_env *env, const struct helper_proto *proto,
			  const struct reg_state *args, struct reg_state *r0)
{
	enum helper_ret ret = proto ? proto->ret : RET_INTEGER;

	switch (ret) {
	case RET_VOID:
		reg_mark_not_init(r0);
		return;
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (is_map_of_maps(env, &args[BPF_REG_1])) { /* the inner map */
			reg_mark_pointer(r0, REG_CONST_PTR_TO_MAP | REG_MAYBE_NULL, 0);
			r0->map = UINT32_MAX;
		} else {
			reg_mark_pointer(r0, REG_PTR_TO_MAP_VALUE | REG_MAYBE_NULL, 0);
			r0->map = args[BPF_REG_1].map;
		}
		break;
	case RET_PTR_TO_MAP_OR_NULL:
		reg_mark_pointer(r0, REG_CONST_PTR_TO_MAP | REG_MAYBE_NULL, 0);
		r0->map = UINT32_MAX;
		break;
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL:
		reg_mark_pointer(r0, REG_PTR_TO_RINGBUF_MEM | REG_MAYBE_NULL, 0);
		break;
	default:
		reg_mark_unknown(r0);
		return;
	}
	r0->id = ++env->next_id;
}

static int helper_call(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	const struct helper_entry *entry;
	struct reg_state args[REG_COUNT];
	int err;

	if (isa_is_callx(insn)) { /* the helper is known only at run time */
		err = types_check_reg_init(env, st, idx, insn->dst_reg);
		entry = NULL;
	} else {
		err = queue_callback(env, st, idx);
		entry = helper_table_find(&env->prog->vm->helpers, (uint32_t)insn->imm);
	}
	if (err)
		return err;
	/* Arguments are checked against the prototype by the verifier issue. */
	memcpy(args, frame->regs, sizeof(args));
	clobber_caller_saved(frame);
	helper_result(env, entry ? entry->proto : NULL, args, &frame->regs[BPF_REG_0]);
	return 0;
}

static int local_call(struct types_env *env, struct verifier_state *st, uint32_t idx,
		      uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint32_t target = (uint32_t)isa_jump_target(insn, idx);
	struct func_state *caller = state_frame(st), *callee;
	uint32_t frameno = st->curframe + 1;

	if (frameno >= ISA_MAX_CALL_FRAMES)
		return types_error(env, idx, -E2BIG, "the call stack of %u frames is too deep",
				   frameno + 1);
	callee = func_state_new(frameno, idx,
				(uint32_t)(prog_subprog_of(env->prog, target) - env->prog->subprogs));
	if (!callee)
		return types_error(env, idx, -ENOMEM, "out of memory");
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		callee->regs[r] = caller->regs[r];
	clobber_caller_saved(caller);
	st->frames[frameno] = callee;
	st->curframe = frameno;
	*next = target;
	return 0;
}

static int exit_insn(struct types_env *env, struct verifier_state *st, uint32_t idx,
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
		return exit_insn(env, st, idx, next);
	case BPF_CALL:
		if (isa_is_local_call(insn))
			return local_call(env, st, idx, next);
		return helper_call(env, st, idx);
	default:
		return cond_jump(env, st, idx, next);
	}
}
