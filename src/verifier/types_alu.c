/* ALU instructions on abstract registers (the kernel's check_alu_op):
 * scalars through the scalar domain (scalar.c), pointers moved by scalars
 * with the kernel's rules on which pointer arithmetic is allowed
 * (adjust_ptr_min_max_vals). A pointer is base + off + var, where the
 * variable part var has a tnum (var_off) and the pointer's own four ranges
 * (smin..umax), as in the kernel; its 32-bit ranges are not tracked.
 *
 * bpfvm verifies as a privileged user (the kernel's allow_ptr_leaks and
 * bypass_spec_v1): pointers may leak into scalars, and no speculation
 * sanitation is needed. */
#include <errno.h>
#include <stdio.h>

#include "verifier/scalar.h"
#include "verifier/types_env.h"

/* The kernel's BPF_MAX_VAR_OFF: pointer offsets stay far from overflow. */
#define MAX_VAR_OFF (1ll << 29)

/* The kernel's bpf_alu_string[], indexed by op >> 4. */
static const char *const alu_op_names[16] = {
	[BPF_ADD >> 4] = "+=",	[BPF_SUB >> 4] = "-=",	 [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=",	[BPF_OR >> 4] = "|=",	 [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=",	 [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=",	[BPF_XOR >> 4] = "^=",	 [BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=", [BPF_END >> 4] = "endian", [14] = "?", [15] = "?",
};

static bool insn_is64(const struct bpf_insn *insn)
{
	return isa_class(insn->code) == BPF_ALU64;
}

/* dst = src, dst = (s8/s16/s32) src, w = w, w = (s8/s16) w. The copy of a
 * scalar whose value it keeps shares its id (scalar.h). */
static void mov_reg(struct types_env *env, struct reg_state *dst, struct reg_state *src,
		    const struct bpf_insn *insn)
{
	bool is64 = insn_is64(insn);
	bool same_value;

	if (src->type != REG_SCALAR) {
		if (is64 && !insn->off)
			*dst = *src; /* a pointer moves whole */
		else /* part of a pointer: a meaningless scalar, for privileged users */
			reg_mark_unknown_bits(dst, is64 ? 64 : 32);
		return;
	}
	if (insn->off)
		same_value = src->umax < (1ull << (insn->off - 1)); /* no sign to extend */
	else
		same_value = is64 || reg_width(src) <= 32;
	if (same_value)
		scalar_link_before_copy(src, &env->next_id);
	if (insn->off) {
		scalar_movsx(dst, src, (unsigned)insn->off, is64);
	} else {
		*dst = *src;
		if (!is64)
			scalar_zext32(dst);
	}
	dst->id = same_value ? src->id : 0;
	dst->off = same_value ? src->off : 0;
}

static int alu_mov(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	struct reg_state *dst = &frame->regs[insn->dst_reg];
	int err = 0;

	if (isa_source(insn->code) == BPF_X)
		err = types_check_reg_init(env, st, idx, insn->src_reg);
	if (!err)
		err = types_check_reg_write(env, idx, insn->dst_reg);
	if (err)
		return err;
	if (isa_source(insn->code) == BPF_K) {
		reg_mark_const(dst, insn_is64(insn) ? (uint64_t)(int64_t)insn->imm
						    : (uint32_t)insn->imm);
		return 0;
	}
	mov_reg(env, dst, &frame->regs[insn->src_reg], insn);
	return 0;
}

/* neg and the byte swaps: on a pointer they give an unknown scalar (the
 * kernel's DST_OP for privileged users). */
static int alu_unary(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct reg_state *dst = &state_frame(st)->regs[insn->dst_reg];
	int err = types_check_reg_init(env, st, idx, insn->dst_reg);

	if (!err)
		err = types_check_reg_write(env, idx, insn->dst_reg);
	if (err)
		return err;
	if (dst->type != REG_SCALAR) {
		reg_mark_unknown(dst);
		return 0;
	}
	if (isa_op(insn->code) == BPF_NEG)
		scalar_neg(dst, insn_is64(insn));
	else
		scalar_end(dst, insn_is64(insn) || isa_source(insn->code) == BPF_X,
			   (unsigned)insn->imm);
	dst->id = 0; /* no longer the value of its copies */
	dst->off = 0;
	return 0;
}

/* ---- pointer arithmetic -------------------------------------------------- */

/* The kernel's check_reg_sane_offset: offsets that stay far from
 * overflowing the s32 fixed offset and the access checks' arithmetic. */
static int check_sane_offset(struct types_env *env, uint32_t idx, const struct reg_state *reg,
			     uint16_t ptr_type)
{
	char name[32];
	int64_t val = (int64_t)reg->var_off.value;

	reg_type_name(ptr_type, name, sizeof(name));
	if (tnum_is_const(reg->var_off) && (val >= MAX_VAR_OFF || val <= -MAX_VAR_OFF))
		return types_error(env, idx, -EINVAL, "math between %s pointer and %lld is not allowed",
				   name, (long long)val);
	if (reg->off >= MAX_VAR_OFF || reg->off <= -MAX_VAR_OFF)
		return types_error(env, idx, -EINVAL, "%s pointer offset %d is not allowed", name,
				   reg->off);
	if (reg->smin == INT64_MIN)
		return types_error(env, idx, -EINVAL,
				   "math between %s pointer and register with unbounded min value is not allowed",
				   name);
	if (reg->smin >= MAX_VAR_OFF || reg->smin <= -MAX_VAR_OFF)
		return types_error(env, idx, -EINVAL, "value %lld makes %s pointer be out of bounds",
				   (long long)reg->smin, name);
	return 0;
}

/* Which pointer types may move, and how (the kernel's switch in
 * adjust_ptr_min_max_vals). */
static int check_pointer_movable(struct types_env *env, uint32_t idx, uint8_t dst_regno,
				 const struct reg_state *ptr, const struct reg_state *scalar,
				 uint8_t op)
{
	char name[32];

	reg_name(ptr, name, sizeof(name));
	if (ptr->type & REG_MAYBE_NULL)
		return types_error(env, idx, -EACCES,
				   "R%u pointer arithmetic on %s prohibited, null-check it first",
				   dst_regno, name);
	switch (reg_base_type(ptr)) {
	case REG_PTR_TO_CTX: case REG_PTR_TO_STACK: case REG_PTR_TO_MAP_VALUE:
	case REG_PTR_TO_PACKET: case REG_PTR_TO_PACKET_META: case REG_PTR_TO_MEM:
	case REG_PTR_TO_RINGBUF_MEM: case REG_PTR_TO_FUNC: case REG_PTR_TO_BTF_ID:
	case REG_PTR_TO_BUF: case REG_PTR_TO_RDONLY_BUF:
		return 0;
	case REG_CONST_PTR_TO_MAP:
		if (tnum_is_const(scalar->var_off) && scalar->smin == 0 && op == BPF_ADD)
			return 0;
		break;
	default:
		break;
	}
	return types_error(env, idx, -EACCES, "R%u pointer arithmetic on %s prohibited", dst_regno,
			   name);
}

static bool is_packet_pointer(const struct reg_state *reg)
{
	return reg_base_type(reg) == REG_PTR_TO_PACKET ||
	       reg_base_type(reg) == REG_PTR_TO_PACKET_META;
}

static bool fits_s32(int64_t v)
{
	return v == (int64_t)(int32_t)v;
}

/* ptr + scalar into res (res starts as a copy of ptr). */
static void pointer_add(struct types_env *env, struct reg_state *res, const struct reg_state *ptr,
			const struct reg_state *scalar)
{
	if (tnum_is_const(scalar->var_off) && fits_s32((int64_t)ptr->off + scalar->smin)) {
		res->off = (int32_t)((int64_t)ptr->off + scalar->smin);
		return;
	}
	/* A new variable part: the pointer's ranges grow by the scalar's. */
	if (__builtin_add_overflow(ptr->smin, scalar->smin, &res->smin) ||
	    __builtin_add_overflow(ptr->smax, scalar->smax, &res->smax)) {
		res->smin = INT64_MIN;
		res->smax = INT64_MAX;
	}
	if (__builtin_add_overflow(ptr->umin, scalar->umin, &res->umin) ||
	    __builtin_add_overflow(ptr->umax, scalar->umax, &res->umax)) {
		res->umin = 0;
		res->umax = UINT64_MAX;
	}
	res->var_off = tnum_add(ptr->var_off, scalar->var_off);
	if (is_packet_pointer(ptr)) { /* a new base: nothing known below data_end */
		res->id = ++env->next_id;
		res->range = 0;
	}
}

/* ptr - scalar into res (res starts as a copy of ptr). */
static void pointer_sub(struct types_env *env, struct reg_state *res, const struct reg_state *ptr,
			const struct reg_state *scalar)
{
	if (tnum_is_const(scalar->var_off) && fits_s32((int64_t)ptr->off - scalar->smin)) {
		res->off = (int32_t)((int64_t)ptr->off - scalar->smin);
		return;
	}
	if (__builtin_sub_overflow(ptr->smin, scalar->smax, &res->smin) ||
	    __builtin_sub_overflow(ptr->smax, scalar->smin, &res->smax)) {
		res->smin = INT64_MIN;
		res->smax = INT64_MAX;
	}
	if (ptr->umin < scalar->umax) {
		res->umin = 0;
		res->umax = UINT64_MAX;
	} else {
		res->umin = ptr->umin - scalar->umax;
		res->umax = ptr->umax - scalar->umin;
	}
	res->var_off = tnum_sub(ptr->var_off, scalar->var_off);
	if (is_packet_pointer(ptr)) {
		res->id = ++env->next_id;
		/* moving back keeps what is known below data_end */
		if (scalar->smin < 0)
			res->range = 0;
	}
}

/* ptr op scalar into dst (dst is the register of one of them); the
 * kernel's adjust_ptr_min_max_vals, in its order of checks. */
static int pointer_arithmetic(struct types_env *env, uint32_t idx, struct reg_state *dst,
			      const struct reg_state *ptr, const struct reg_state *scalar)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t op = isa_op(insn->code);
	struct reg_state res;
	int err;

	if (scalar->smin > scalar->smax || scalar->umin > scalar->umax ||
	    (tnum_is_const(scalar->var_off) &&
	     (scalar->smin != scalar->smax || scalar->umin != scalar->umax))) {
		/* bounds from a dead branch: taint the result */
		reg_mark_unknown(dst);
		return 0;
	}
	if (!insn_is64(insn)) {
		if (op == BPF_SUB) { /* a meaningless scalar, for privileged users */
			reg_mark_unknown_bits(dst, 32);
			return 0;
		}
		return types_error(env, idx, -EACCES, "R%u 32-bit pointer arithmetic prohibited",
				   insn->dst_reg);
	}
	err = check_pointer_movable(env, idx, insn->dst_reg, ptr, scalar, op);
	if (!err)
		err = check_sane_offset(env, idx, scalar, ptr->type);
	if (!err)
		err = check_sane_offset(env, idx, ptr, ptr->type);
	if (err)
		return err;
	res = *ptr;
	switch (op) {
	case BPF_ADD:
		pointer_add(env, &res, ptr, scalar);
		break;
	case BPF_SUB:
		if (dst != ptr)
			return types_error(env, idx, -EACCES, "R%u tried to subtract pointer from scalar",
					   insn->dst_reg);
		/* JITs may not cope with a frame pointer moved up (the kernel). */
		if (reg_base_type(ptr) == REG_PTR_TO_STACK)
			return types_error(env, idx, -EACCES,
					   "R%u subtraction from stack pointer prohibited", insn->dst_reg);
		pointer_sub(env, &res, ptr, scalar);
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		return types_error(env, idx, -EACCES, "R%u bitwise operator %s on pointer prohibited",
				   insn->dst_reg, alu_op_names[op >> 4]);
	default:
		return types_error(env, idx, -EACCES,
				   "R%u pointer arithmetic with %s operator prohibited", insn->dst_reg,
				   alu_op_names[op >> 4]);
	}
	err = check_sane_offset(env, idx, &res, ptr->type);
	if (err)
		return err;
	/* pointers carry no 32-bit bounds */
	res.s32_min = INT32_MIN, res.s32_max = INT32_MAX, res.u32_min = 0, res.u32_max = UINT32_MAX;
	scalar_bounds_sync(&res);
	*dst = res;
	return 0;
}

/* ---- scalars ------------------------------------------------------------- */

/* The kernel rejects these constant operands before looking at registers. */
static int check_constant_operand(struct types_env *env, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t op = isa_op(insn->code);
	int bits = insn_is64(insn) ? 64 : 32;

	/* RFC 9669 defines both (progtype.isa_semantics); the kernel's
	 * program types refuse them. */
	if (isa_source(insn->code) != BPF_K || env->prog->progtype->isa_semantics)
		return 0;
	if ((op == BPF_DIV || op == BPF_MOD) && insn->imm == 0)
		return types_error(env, idx, -EINVAL, "div by zero");
	if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
	    (insn->imm < 0 || insn->imm >= bits))
		return types_error(env, idx, -EINVAL, "invalid shift %d", insn->imm);
	return 0;
}

/* dst op= scalar src. A copy that gets a constant added stays linked to its
 * original, once (r1 = r2; r1 += 4: r1 is r2 + 4); any other op makes dst
 * a value of its own. */
static void scalar_op(struct reg_state *dst, const struct reg_state *src,
		      const struct bpf_insn *insn)
{
	uint8_t op = isa_op(insn->code);
	bool is64 = insn_is64(insn);
	int64_t delta = (int64_t)src->var_off.value;
	bool linkable = is64 && dst->id && (op == BPF_ADD || op == BPF_SUB) &&
			tnum_is_const(src->var_off);
	uint32_t id = dst->id;

	if (op == BPF_SUB)
		delta = (int64_t)(0 - (uint64_t)delta);
	scalar_alu(dst, src, op, is64, insn->off == ISA_OFF_SIGNED);
	if (!linkable || (id & SCALAR_ID_ADD_CONST) || delta < INT32_MIN + 1 || delta > INT32_MAX) {
		dst->id = 0;
		dst->off = 0;
		return;
	}
	dst->id = id | SCALAR_ID_ADD_CONST;
	dst->off = (int32_t)delta;
}

static int alu_binary(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	struct reg_state *dst = &frame->regs[insn->dst_reg];
	struct reg_state src_imm, *src = &src_imm;
	uint8_t op = isa_op(insn->code);
	int err = 0;

	if (isa_source(insn->code) == BPF_X) {
		err = types_check_reg_init(env, st, idx, insn->src_reg);
		src = &frame->regs[insn->src_reg];
	} else {
		reg_mark_const(&src_imm, (uint64_t)(int64_t)insn->imm);
	}
	if (!err)
		err = types_check_reg_init(env, st, idx, insn->dst_reg);
	if (!err)
		err = check_constant_operand(env, idx);
	if (!err)
		err = types_check_reg_write(env, idx, insn->dst_reg);
	if (err)
		return err;
	if (reg_is_pointer(dst) && reg_is_pointer(src)) {
		if (op == BPF_SUB) { /* the distance: a scalar, for privileged users */
			reg_mark_unknown(dst);
			return 0;
		}
		return types_error(env, idx, -EACCES, "R%u pointer %s pointer prohibited",
				   insn->dst_reg, alu_op_names[op >> 4]);
	}
	if (reg_is_pointer(dst))
		return pointer_arithmetic(env, idx, dst, dst, src);
	if (reg_is_pointer(src))
		return pointer_arithmetic(env, idx, dst, src, dst);
	scalar_op(dst, src, insn);
	return 0;
}

int types_step_alu(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];

	switch (isa_op(insn->code)) {
	case BPF_MOV:
		return alu_mov(env, st, idx);
	case BPF_NEG:
	case BPF_END:
		return alu_unary(env, st, idx);
	default:
		return alu_binary(env, st, idx);
	}
}
