/* Conditional jumps on abstract states (the kernel's check_cond_jmp_op):
 * both ways unless the operands decide, each side learning what the
 * comparison says: scalar ranges on both operands and on their copies
 * (scalar.c), NULL checks on NULL-able pointers, packet ranges from
 * comparisons with data_end (pkt_range.c). A side that no value can take
 * is not explored. Comparisons of pointers are allowed (bpfvm verifies as
 * a privileged user); their result is unknown, so both sides are explored,
 * except a non-NULL pointer against 0. */
#include <errno.h>
#include <string.h>

#include "verifier/scalar.h"
#include "verifier/types_env.h"

/* Pointers that the kernel knows are never NULL (reg_not_null). Stack,
 * context and packet pointers are not among them; nor are bpfvm's opaque
 * kernel objects, which stand for some types the kernel does not list. */
static bool reg_not_null(const struct reg_state *reg)
{
	if (reg->type & REG_MAYBE_NULL)
		return false;
	switch (reg_base_type(reg)) {
	case REG_PTR_TO_MAP_VALUE: case REG_PTR_TO_MEM: case REG_PTR_TO_RINGBUF_MEM:
	case REG_CONST_PTR_TO_MAP:
		return true;
	default:
		return false;
	}
}

/* A pointer against a constant: only `!= 0` of a non-NULL pointer is
 * known. bpfvm decides it on 64-bit compares only: the low half of a valid
 * pointer may be 0. */
static int pointer_branch_taken(const struct reg_state *dst, const struct reg_state *src,
				uint8_t op, bool is32)
{
	const struct reg_state *ptr = reg_is_pointer(dst) ? dst : src;
	const struct reg_state *other = ptr == dst ? src : dst;

	if (is32 || !reg_is_const(other) || other->var_off.value != 0 || !reg_not_null(ptr))
		return -1;
	if (op == BPF_JEQ)
		return 0;
	return op == BPF_JNE ? 1 : -1;
}

/* 1 taken, 0 not taken, -1 unknown. */
static int branch_taken(const struct reg_state *dst, const struct reg_state *src, uint8_t op,
			bool is32)
{
	if (reg_is_pointer(dst) || reg_is_pointer(src)) {
		if (reg_is_pointer(dst) && reg_is_pointer(src))
			return -1;
		return pointer_branch_taken(dst, src, op, is32);
	}
	return scalar_branch_taken(dst, src, op, is32);
}

struct null_check {
	const struct types_env *env;
	uint32_t id;	/* of the pointer checked */
	bool is_null;	/* on this side of the jump */
};

static void refine_null(struct reg_state *reg, void *arg)
{
	const struct null_check *check = arg;

	if (!(reg->type & REG_MAYBE_NULL) || reg->id != check->id)
		return;
	if (check->is_null) {
		reg_mark_const(reg, 0);
	} else {
		reg->type &= (uint16_t)~REG_MAYBE_NULL;
		if (!types_reg_keeps_id(check->env, reg))
			reg->id = 0;
	}
}

/* After `if ptr == 0`: in every frame, the copies of ptr (same id) become 0
 * on the NULL side and lose the NULL possibility on the other
 * (mark_ptr_or_null_regs). */
static void refine_null_everywhere(const struct types_env *env, struct verifier_state *st,
				   uint32_t id, bool is_null)
{
	struct null_check check = { .env = env, .id = id, .is_null = is_null };

	state_for_each_reg(st, refine_null, &check);
	if (is_null)
		types_release_null_ref(st, id);
}

/* A `ptr ==/!= 0` test on a NULL-able pointer: which register, or -1. As
 * the kernel's check_cond_jmp_op, only against the immediate 0 and in a
 * 64-bit compare: a register known to be zero refines nothing, on either
 * side (Linux 6.18 refuses verifier_jeq_infer_not_null's
 * unchanged_for_jne_true_branch, where `r0 != r7` with r0 zero is the
 * only check of r7; tests/verifier/test_null_check_register.c). */
static int null_check_reg(const struct bpf_insn *insn, const struct reg_state *dst)
{
	uint8_t op = isa_op(insn->code);

	if (isa_class(insn->code) != BPF_JMP || (op != BPF_JEQ && op != BPF_JNE) ||
	    BPF_SRC(insn->code) != BPF_K || insn->imm != 0)
		return -1;
	return (dst->type & REG_MAYBE_NULL) ? insn->dst_reg : -1;
}

/* `p1 == p2` where one may be NULL and the other may not: on the equal
 * side, the first is not NULL either (the kernel, for that register). */
static void refine_pointer_pair(const struct bpf_insn *insn, struct verifier_state *taken,
				struct verifier_state *fall)
{
	struct reg_state *regs;
	const struct reg_state *dst, *src;
	uint8_t op = isa_op(insn->code), maybe;

	dst = &state_frame(fall)->regs[insn->dst_reg];
	src = &state_frame(fall)->regs[insn->src_reg];
	if (isa_class(insn->code) != BPF_JMP || isa_source(insn->code) != BPF_X ||
	    !reg_is_pointer(dst) || !reg_is_pointer(src) ||
	    !(dst->type & REG_MAYBE_NULL) == !(src->type & REG_MAYBE_NULL) ||
	    (op != BPF_JEQ && op != BPF_JNE))
		return;
	maybe = (src->type & REG_MAYBE_NULL) ? insn->src_reg : insn->dst_reg;
	regs = state_frame(op == BPF_JEQ ? taken : fall)->regs;
	regs[maybe].type &= (uint16_t)~REG_MAYBE_NULL;
}

/* What `dst op src` (is `taken`) teaches st's scalars and their copies.
 * false: no value takes this side. */
static bool refine_scalars(struct verifier_state *st, const struct bpf_insn *insn,
			   const struct reg_state *imm, bool taken)
{
	struct reg_state *regs = state_frame(st)->regs;
	struct reg_state *dst = &regs[insn->dst_reg], src_copy, *src = &src_copy;
	bool is32 = isa_class(insn->code) == BPF_JMP32;
	uint8_t op = isa_op(insn->code);
	bool alive;

	/* r op r: the kernel learns nothing (and explores both sides) */
	if (isa_source(insn->code) == BPF_X && insn->src_reg == insn->dst_reg)
		return true;
	if (isa_source(insn->code) == BPF_X)
		src = &regs[insn->src_reg];
	else
		src_copy = *imm;
	if (dst->type != REG_SCALAR || src->type != REG_SCALAR)
		return true;
	alive = scalar_refine(dst, src, op, is32, taken);
	if (!alive)
		return false;
	if (src != &src_copy)
		scalar_sync_linked(st, src);
	scalar_sync_linked(st, dst);
	return true;
}

/* The branch just queued turned out impossible: it is unqueued, and its
 * checkpoint counts one path fewer (the path being followed still hangs
 * under the same checkpoint, so the count stays above zero). A count left
 * too high would keep the checkpoint "in progress" for good, and a later
 * path equal to it would be taken for an infinite loop. */
static void drop_last_path(struct types_env *env)
{
	struct pending_path *path = &env->pending[--env->pending_cnt];

	if (path->parent)
		path->parent->branches--;
	state_free(path->state);
}

int types_step_cond_jump(struct types_env *env, struct verifier_state *st, uint32_t idx,
			 uint32_t *next)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	struct reg_state src_imm, *src = &src_imm, *dst = &frame->regs[insn->dst_reg];
	uint32_t target = (uint32_t)isa_jump_target(insn, idx);
	bool is32 = isa_class(insn->code) == BPF_JMP32;
	uint8_t op = isa_op(insn->code);
	struct verifier_state *other;
	int err = types_check_reg_init(env, st, idx, insn->dst_reg);
	int taken, null_reg;
	bool taken_alive, fall_alive;

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
	if (isa_source(insn->code) == BPF_X && insn->src_reg == insn->dst_reg) {
		src_imm = *dst; /* r op r: decided only for a constant, as the kernel */
		src = &src_imm;
	}
	taken = branch_taken(dst, src, op, is32);
	if (taken == 1)
		*next = target;
	if (taken >= 0)
		return 0;
	null_reg = null_check_reg(insn, dst);
	err = types_push_path(env, st, target);
	if (err)
		return err;
	other = env->pending[env->pending_cnt - 1].state;
	if (null_reg >= 0) {
		uint32_t id = frame->regs[null_reg].id;

		refine_null_everywhere(env, other, id, op == BPF_JEQ);
		refine_null_everywhere(env, st, id, op != BPF_JEQ);
	}
	refine_pointer_pair(insn, other, st);
	taken_alive = refine_scalars(other, insn, &src_imm, true);
	fall_alive = refine_scalars(st, insn, &src_imm, false);
	types_learn_packet_range(env, idx, other, st);
	if (!taken_alive)
		drop_last_path(env);
	if (!fall_alive)
		*next = UINT32_MAX;
	return 0;
}
