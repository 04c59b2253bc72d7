/* Conditional jumps on abstract states: both ways unless the operands decide,
 * each side learning what the comparison says (NULL checks on NULL-able
 * pointers; scalar ranges, scalar.c; packet ranges from comparisons with
 * data_end, pkt_range.c). */
#include <errno.h>

#include "verifier/types_env.h"

/* The kernel's reg_not_null: pointers that cannot be NULL. */
static bool reg_not_null(const struct reg_state *reg)
{
	switch (reg->type) {
	case REG_PTR_TO_MAP_VALUE:
	case REG_PTR_TO_MEM:
	case REG_PTR_TO_RINGBUF_MEM:
	case REG_CONST_PTR_TO_MAP:
		return true;
	default:
		return false;
	}
}

/* A pointer that cannot be NULL against 0: == never holds, != always
 * (a ring buffer record checked twice must not look leaked on the path
 * that cannot be). */
static int pointer_branch_taken(const struct bpf_insn *insn, const struct reg_state *dst,
				const struct reg_state *src)
{
	const struct reg_state *ptr = reg_is_pointer(dst) ? dst : src;
	const struct reg_state *other = ptr == dst ? src : dst;

	if (!reg_not_null(ptr) || !reg_is_const(other) || other->var_off.value != 0)
		return -1;
	switch (isa_op(insn->code)) {
	case BPF_JEQ: return 0;
	case BPF_JNE: return 1;
	default: return -1;
	}
}

/* 1 taken, 0 not taken, -1 unknown: only constants decide for now. */
static int branch_taken(const struct bpf_insn *insn, const struct reg_state *dst,
			const struct reg_state *src)
{
	bool is32 = isa_class(insn->code) == BPF_JMP32;
	uint64_t a, b;
	int64_t sa, sb;

	if (reg_is_pointer(dst) || reg_is_pointer(src))
		return pointer_branch_taken(insn, dst, src);
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

static void refine_null(const struct types_env *env, struct reg_state *reg, uint32_t id,
			bool is_null)
{
	if (!(reg->type & REG_MAYBE_NULL) || reg->id != id)
		return;
	if (is_null) {
		reg_mark_const(reg, 0);
	} else {
		reg->type &= (uint16_t)~REG_MAYBE_NULL;
		if (!types_reg_keeps_id(env, reg))
			reg->id = 0;
	}
}

/* After `if ptr == 0`: in every frame, the copies of ptr (same id) become 0
 * on the NULL side and lose the NULL possibility on the other
 * (mark_ptr_or_null_regs). */
static void refine_null_everywhere(const struct types_env *env, struct verifier_state *st,
				   uint32_t id, bool is_null)
{
	for (uint32_t f = 0; f <= st->curframe; f++) {
		struct func_state *frame = st->frames[f];

		for (int r = 0; r < BPF_REG_10; r++)
			refine_null(env, &frame->regs[r], id, is_null);
		for (uint32_t i = 0; i < frame->slot_cnt; i++)
			if (frame->stack[i].bytes[0] == SLOT_SPILL)
				refine_null(env, &frame->stack[i].spilled, id, is_null);
	}
	if (is_null)
		types_release_null_ref(st, id);
}

/* The path just queued (the jump) and st (the fall-through) learn from a
 * NULL check on pointer `id`. */
static void refine_both_ways(struct types_env *env, struct verifier_state *st, uint32_t id,
			     bool null_if_taken)
{
	refine_null_everywhere(env, env->pending[env->pending_cnt - 1].state, id, null_if_taken);
	refine_null_everywhere(env, st, id, !null_if_taken);
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
int types_step_cond_jump(struct types_env *env, struct verifier_state *st, uint32_t idx,
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
	if (err)
		return err;
	if (null_reg >= 0)
		refine_both_ways(env, st, frame->regs[null_reg].id, isa_op(insn->code) == BPF_JEQ);
	types_learn_packet_range(env, idx, env->pending[env->pending_cnt - 1].state, st);
	return 0;
}
