/* ALU instructions on abstract registers: scalars fold when constant and
 * become unknown otherwise; pointers move by constants (fixed offset) or by
 * scalars (variable part), with the kernel's rules on which pointer
 * arithmetic is allowed (adjust_ptr_min_max_vals). bpfvm verifies as a
 * privileged user: pointer leaks into scalars are allowed. */
#include <errno.h>
#include <stdio.h>

#include "verifier/types_env.h"

/* The kernel's bpf_alu_string[], indexed by op >> 4. */
static const char *const alu_op_names[16] = {
	[BPF_ADD >> 4] = "+=",	[BPF_SUB >> 4] = "-=",	 [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=",	[BPF_OR >> 4] = "|=",	 [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=",	 [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=",	[BPF_XOR >> 4] = "^=",	 [BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=", [BPF_END >> 4] = "endian", [14] = "?", [15] = "?",
};

static uint64_t byte_swap(uint64_t value, int32_t bits)
{
	switch (bits) {
	case 16: return __builtin_bswap16((uint16_t)value);
	case 32: return __builtin_bswap32((uint32_t)value);
	default: return __builtin_bswap64(value);
	}
}

static uint64_t truncate_bits(uint64_t value, int32_t bits)
{
	return bits >= 64 ? value : value & ((1ull << bits) - 1);
}

static uint64_t fold_end(const struct bpf_insn *insn, uint64_t value)
{
	bool to_be = isa_source(insn->code) == BPF_X;

	if (isa_class(insn->code) == BPF_ALU64 || to_be) /* bswap, or to big-endian */
		return byte_swap(value, insn->imm);
	return truncate_bits(value, insn->imm); /* to little-endian on a little-endian host */
}

static int64_t signed_div(int64_t a, int64_t b, bool mod)
{
	if (b == -1) /* INT64_MIN / -1 overflows in C; BPF defines it */
		return mod ? 0 : (int64_t)(0 - (uint64_t)a);
	return mod ? a % b : a / b;
}

static int32_t signed_div32(int32_t a, int32_t b, bool mod)
{
	if (b == -1)
		return mod ? 0 : (int32_t)(0 - (uint32_t)a);
	return mod ? a % b : a / b;
}

/* dst op src on 64 bits (RFC 9669: division by zero gives 0, modulo by zero
 * leaves dst, shifts take the count modulo 64). */
static uint64_t fold64(uint8_t op, bool is_signed, uint64_t a, uint64_t b)
{
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & 63);
	case BPF_RSH: return a >> (b & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)a >> (b & 63));
	case BPF_DIV:
		if (!b)
			return 0;
		return is_signed ? (uint64_t)signed_div((int64_t)a, (int64_t)b, false) : a / b;
	case BPF_MOD:
		if (!b)
			return a;
		return is_signed ? (uint64_t)signed_div((int64_t)a, (int64_t)b, true) : a % b;
	default: return b; /* BPF_MOV */
	}
}

static uint32_t fold32(uint8_t op, bool is_signed, uint32_t a, uint32_t b)
{
	switch (op) {
	case BPF_LSH: return a << (b & 31);
	case BPF_RSH: return a >> (b & 31);
	case BPF_ARSH: return (uint32_t)((int32_t)a >> (b & 31));
	case BPF_DIV:
		if (!b)
			return 0;
		return is_signed ? (uint32_t)signed_div32((int32_t)a, (int32_t)b, false) : a / b;
	case BPF_MOD:
		if (!b)
			return a;
		return is_signed ? (uint32_t)signed_div32((int32_t)a, (int32_t)b, true) : a % b;
	default:
		return (uint32_t)fold64(op, false, a, b);
	}
}

static void scalar_result(const struct bpf_insn *insn, struct reg_state *dst, bool known,
			  uint64_t value)
{
	bool is64 = isa_class(insn->code) == BPF_ALU64;

	if (known)
		reg_mark_const(dst, is64 ? value : (uint32_t)value);
	else
		reg_mark_unknown_bits(dst, is64 ? 64 : 32);
}

static int alu_mov(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	struct reg_state *dst = &frame->regs[insn->dst_reg];
	const struct reg_state *src = &frame->regs[insn->src_reg];
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	int err;

	if (isa_source(insn->code) == BPF_K) {
		reg_mark_const(dst, is64 ? (uint64_t)(int64_t)insn->imm : (uint32_t)insn->imm);
		return 0;
	}
	err = types_check_reg_init(env, st, idx, insn->src_reg);
	if (err)
		return err;
	if (insn->off && reg_is_pointer(src))
		return types_error(env, idx, -EACCES, "R%u sign-extension part of pointer",
				   insn->src_reg);
	if (is64 && !insn->off) {
		*dst = *src;
		return 0;
	}
	if (reg_is_const(src)) {
		uint64_t v = src->var_off.value;

		switch (insn->off) {
		case 8: v = (uint64_t)(int64_t)(int8_t)v; break;
		case 16: v = (uint64_t)(int64_t)(int16_t)v; break;
		case 32: v = (uint64_t)(int64_t)(int32_t)v; break;
		}
		scalar_result(insn, dst, true, v);
		return 0;
	}
	/* w = w of a pointer: a meaningless scalar, allowed to privileged users */
	scalar_result(insn, dst, false, 0);
	return 0;
}

static int alu_unary(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct reg_state *dst = &state_frame(st)->regs[insn->dst_reg];
	int err = types_check_reg_init(env, st, idx, insn->dst_reg);
	uint64_t v;

	if (err)
		return err;
	if (!reg_is_const(dst)) {
		reg_mark_unknown(dst);
		return 0;
	}
	v = dst->var_off.value;
	if (isa_op(insn->code) == BPF_NEG)
		scalar_result(insn, dst, true, 0 - v);
	else
		reg_mark_const(dst, fold_end(insn, v));
	return 0;
}

/* Which pointer types may move, and how (the kernel's switch in
 * adjust_ptr_min_max_vals). */
static int check_pointer_movable(struct types_env *env, uint32_t idx, uint8_t dst_regno,
				 const struct reg_state *ptr, const struct reg_state *scalar,
				 uint8_t op)
{
	char name[32];

	reg_type_name(ptr->type, name, sizeof(name));
	if (ptr->type & REG_MAYBE_NULL)
		return types_error(env, idx, -EACCES,
				   "R%u pointer arithmetic on %s prohibited, null-check it first",
				   dst_regno, name);
	switch (reg_base_type(ptr)) {
	case REG_PTR_TO_CTX: case REG_PTR_TO_STACK: case REG_PTR_TO_MAP_VALUE:
	case REG_PTR_TO_PACKET: case REG_PTR_TO_PACKET_META: case REG_PTR_TO_MEM:
	case REG_PTR_TO_RINGBUF_MEM: case REG_PTR_TO_FUNC:
		return 0;
	case REG_CONST_PTR_TO_MAP:
		if (reg_is_const(scalar) && scalar->var_off.value == 0 && op == BPF_ADD)
			return 0;
		break;
	default:
		break;
	}
	return types_error(env, idx, -EACCES, "R%u pointer arithmetic on %s prohibited", dst_regno,
			   name);
}

/* ptr op scalar into dst (dst may be either operand's register). */
static int pointer_arithmetic(struct types_env *env, uint32_t idx, struct reg_state *dst,
			      struct reg_state ptr, const struct reg_state *scalar, bool scalar_is_dst)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	uint8_t op = isa_op(insn->code);
	int err;

	switch (op) {
	case BPF_ADD:
		break;
	case BPF_SUB:
		if (scalar_is_dst)
			return types_error(env, idx, -EACCES, "R%u tried to subtract pointer from scalar",
					   insn->dst_reg);
		/* JITs may not cope with a frame pointer moved up (the kernel). */
		if (reg_base_type(&ptr) == REG_PTR_TO_STACK)
			return types_error(env, idx, -EACCES,
					   "R%u subtraction from stack pointer prohibited", insn->dst_reg);
		break;
	case BPF_AND: case BPF_OR: case BPF_XOR:
		return types_error(env, idx, -EACCES, "R%u bitwise operator %s on pointer prohibited",
				   insn->dst_reg, alu_op_names[op >> 4]);
	default:
		return types_error(env, idx, -EACCES,
				   "R%u pointer arithmetic with %s operator prohibited", insn->dst_reg,
				   alu_op_names[op >> 4]);
	}
	err = check_pointer_movable(env, idx, insn->dst_reg, &ptr, scalar, op);
	if (err)
		return err;
	if (reg_is_const(scalar)) {
		int64_t delta = (int64_t)scalar->var_off.value;
		int64_t off = op == BPF_ADD ? (int64_t)ptr.off + delta : (int64_t)ptr.off - delta;
		char name[32];

		/* The kernel's BPF_MAX_VAR_OFF: offsets stay far from overflow. */
		if (off <= -(1ll << 29) || off >= (1ll << 29))
			return types_error(env, idx, -EACCES,
					   "value %lld makes %s pointer be out of bounds",
					   (long long)delta, reg_type_name(ptr.type, name, sizeof(name)));
		ptr.off = (int32_t)off;
	} else {
		ptr.var_off = op == BPF_ADD ? tnum_add(ptr.var_off, scalar->var_off)
					    : tnum_sub(ptr.var_off, scalar->var_off);
	}
	*dst = ptr;
	return 0;
}

static int alu_binary(struct types_env *env, struct verifier_state *st, uint32_t idx)
{
	const struct bpf_insn *insn = &env->prog->insns[idx];
	struct func_state *frame = state_frame(st);
	struct reg_state *dst = &frame->regs[insn->dst_reg];
	struct reg_state src_imm, *src = &src_imm;
	bool is64 = isa_class(insn->code) == BPF_ALU64;
	uint8_t op = isa_op(insn->code);
	int err = types_check_reg_init(env, st, idx, insn->dst_reg);

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
	if (reg_is_pointer(dst) || reg_is_pointer(src)) {
		if (!is64) {
			if (op == BPF_SUB) { /* a meaningless scalar, for privileged users */
				reg_mark_unknown_bits(dst, 32);
				return 0;
			}
			return types_error(env, idx, -EACCES, "R%u 32-bit pointer arithmetic prohibited",
					   insn->dst_reg);
		}
		if (reg_is_pointer(dst) && reg_is_pointer(src)) {
			if (op == BPF_SUB) {
				reg_mark_unknown(dst);
				return 0;
			}
			return types_error(env, idx, -EACCES, "R%u pointer %s pointer prohibited",
					   insn->dst_reg, alu_op_names[op >> 4]);
		}
		if (reg_is_pointer(dst))
			return pointer_arithmetic(env, idx, dst, *dst, src, false);
		return pointer_arithmetic(env, idx, dst, *src, dst, true);
	}
	if (reg_is_const(dst) && reg_is_const(src)) {
		uint64_t a = dst->var_off.value, b = src->var_off.value;
		bool is_signed = insn->off == ISA_OFF_SIGNED;

		scalar_result(insn, dst, true,
			      is64 ? fold64(op, is_signed, a, b)
				   : fold32(op, is_signed, (uint32_t)a, (uint32_t)b));
		return 0;
	}
	/* x & c keeps only c's bits: enough for return ranges (`r0 &= 1`)
	 * until scalar.c tracks tnums through every operation. */
	if (op == BPF_AND && (reg_is_const(src) || reg_is_const(dst))) {
		uint64_t c = reg_is_const(src) ? src->var_off.value : dst->var_off.value;

		if (!is64)
			c = (uint32_t)c;
		reg_mark_unknown_bits(dst, c ? 64 - (unsigned)__builtin_clzll(c) : 0);
		return 0;
	}
	scalar_result(insn, dst, false, 0);
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
