/* ALU32 / ALU64 instructions (RFC 9669, section 4), with the semantics of
 * engine/interp_ops.h: division by zero gives 0, modulo by zero leaves dst
 * (zero-extended for 32 bits), INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0,
 * shift counts masked to the width. 32-bit operations on x86-64 zero-extend
 * their destination, as BPF's do. */
#include "engine/jit_internal.h"

/* Position of an operation inside one INTERP_ALU_OPS block. */
enum alu_index {
	ALU_ADD, ALU_SUB, ALU_MUL, ALU_DIV, ALU_SDIV, ALU_MOD, ALU_SMOD, ALU_OR,
	ALU_AND, ALU_LSH, ALU_RSH, ALU_ARSH, ALU_XOR, ALU_MOV,
};

_Static_assert(INTERP_OP_ALU64_MOV_K - INTERP_OP_ALU64_ADD_K == ALU_MOV, "ALU block layout");

static const enum x86_alu simple_ops[] = {
	[ALU_ADD] = X86_ADD, [ALU_SUB] = X86_SUB, [ALU_OR] = X86_OR,
	[ALU_AND] = X86_AND, [ALU_XOR] = X86_XOR,
};

static const enum x86_shift shift_ops[] = {
	[ALU_LSH] = X86_SHL, [ALU_RSH] = X86_SHR, [ALU_ARSH] = X86_SAR,
};

/* dst = dst / or % R11 (not zero, and not -1 when signed). RAX and RDX are
 * BPF r0 and r3: saved around the division (R10, the stack). */
static void emit_divide_by_r11(struct jit_buf *buf, bool is64, bool is_signed, bool is_mod,
			       int dst)
{
	x86_push(buf, X86_RDX);
	x86_mov_rr(buf, true, JIT_TMP, X86_RAX);
	if (dst != X86_RAX)
		x86_mov_rr(buf, true, X86_RAX, dst);
	if (is_signed)
		x86_sign_extend_ax(buf, is64);
	else
		x86_alu_rr(buf, X86_XOR, false, X86_RDX, X86_RDX);
	x86_div(buf, is_signed, is64, JIT_TMP2);
	x86_mov_rr(buf, true, JIT_TMP2, is_mod ? X86_RDX : X86_RAX);
	x86_pop(buf, X86_RDX);
	x86_mov_rr(buf, true, X86_RAX, JIT_TMP);
	x86_mov_rr(buf, true, dst, JIT_TMP2);
}

/* The two special divisors. */
static void emit_divide_by_zero(struct jit_buf *buf, bool is64, bool is_mod, int dst)
{
	if (!is_mod)
		x86_mov_ri(buf, false, dst, 0);
	else if (!is64)
		x86_mov_rr(buf, false, dst, dst); /* dst stays, zero-extended */
}

static void emit_divide_by_minus_one(struct jit_buf *buf, bool is64, bool is_mod, int dst)
{
	if (is_mod)
		x86_mov_ri(buf, false, dst, 0);
	else
		x86_neg(buf, is64, dst); /* 0 - dst: INT_MIN stays INT_MIN */
}

static void emit_divide_imm(struct jit_buf *buf, bool is64, bool is_signed, bool is_mod, int dst,
			    int64_t imm)
{
	uint64_t divisor = is64 ? (uint64_t)imm : (uint32_t)imm;
	bool minus_one = is64 ? imm == -1 : (int32_t)imm == -1;

	if (divisor == 0) {
		emit_divide_by_zero(buf, is64, is_mod, dst);
	} else if (is_signed && minus_one) {
		emit_divide_by_minus_one(buf, is64, is_mod, dst);
	} else {
		x86_mov_ri(buf, is64, JIT_TMP2, is64 ? imm : (int64_t)divisor);
		emit_divide_by_r11(buf, is64, is_signed, is_mod, dst);
	}
}

/* Divisor in a register: test it for 0 (and -1 when signed) first. */
static void emit_divide_reg(struct jit_buf *buf, bool is64, bool is_signed, bool is_mod, int dst,
			    int src)
{
	uint32_t to_zero, to_minus_one = 0, to_end_from_zero, to_end;

	x86_mov_rr(buf, true, JIT_TMP2, src);
	x86_test_rr(buf, is64, JIT_TMP2, JIT_TMP2);
	to_zero = x86_jcc_rel32(buf, X86_CC_E);
	if (is_signed) {
		x86_alu_ri(buf, X86_CMP, is64, JIT_TMP2, -1);
		to_minus_one = x86_jcc_rel32(buf, X86_CC_E);
	}
	emit_divide_by_r11(buf, is64, is_signed, is_mod, dst);
	to_end = x86_jmp_rel32(buf);
	jit_patch_rel32(buf, to_zero, jit_buf_pos(buf));
	emit_divide_by_zero(buf, is64, is_mod, dst);
	if (is_signed) {
		to_end_from_zero = x86_jmp_rel32(buf);
		jit_patch_rel32(buf, to_minus_one, jit_buf_pos(buf));
		emit_divide_by_minus_one(buf, is64, is_mod, dst);
		jit_patch_rel32(buf, to_end_from_zero, jit_buf_pos(buf));
	}
	jit_patch_rel32(buf, to_end, jit_buf_pos(buf));
}

/* Shift by a register: x86 takes the count in CL (BPF r4) and masks it to
 * 6 bits (5 for 32-bit operands), as BPF does. With BMI2, shlx / shrx /
 * sarx take it in any register, as the kernel's JIT emits them: one
 * instruction instead of four around RCX. */
static void emit_shift_reg(struct jit_buf *buf, enum x86_shift op, bool is64, int dst, int src)
{
	if (op != X86_ROL && x86_has_bmi2()) {
		x86_shiftx(buf, op, is64, dst, dst, src);
	} else if (src == X86_RCX) {
		x86_shift_cl(buf, op, is64, dst);
	} else if (dst == X86_RCX) {
		x86_mov_rr(buf, true, JIT_TMP2, X86_RCX);
		x86_mov_rr(buf, true, X86_RCX, src);
		x86_shift_cl(buf, op, is64, JIT_TMP2);
		x86_mov_rr(buf, true, X86_RCX, JIT_TMP2);
	} else {
		x86_mov_rr(buf, true, JIT_TMP2, X86_RCX);
		x86_mov_rr(buf, true, X86_RCX, src);
		x86_shift_cl(buf, op, is64, dst);
		x86_mov_rr(buf, true, X86_RCX, JIT_TMP2);
	}
}

static void emit_shift_imm(struct jit_buf *buf, enum x86_shift op, bool is64, int dst, int64_t imm)
{
	uint8_t count = (uint8_t)(imm & (is64 ? 63 : 31));

	if (count)
		x86_shift_ri(buf, op, is64, dst, count);
	else if (!is64)
		x86_mov_rr(buf, false, dst, dst);
}

static void emit_mov(struct jit_buf *buf, bool is64, bool from_reg, int dst, int src, int64_t imm)
{
	if (!from_reg)
		x86_mov_ri(buf, is64, dst, is64 ? imm : (int64_t)(uint32_t)imm);
	else if (dst != src || !is64)
		x86_mov_rr(buf, is64, dst, src);
}

static void emit_alu_op(struct jit_ctx *ctx, enum alu_index index, bool is64, bool from_reg)
{
	struct jit_buf *buf = &ctx->buf;
	int dst = jit_dst(ctx), src = jit_src(ctx);
	int64_t imm = jit_insn(ctx)->imm;
	bool is_mod = index == ALU_MOD || index == ALU_SMOD;
	bool is_signed = index == ALU_SDIV || index == ALU_SMOD;

	switch (index) {
	case ALU_ADD: case ALU_SUB: case ALU_OR: case ALU_AND: case ALU_XOR:
		if (from_reg)
			x86_alu_rr(buf, simple_ops[index], is64, dst, src);
		else
			x86_alu_ri(buf, simple_ops[index], is64, dst, (int32_t)imm);
		break;
	case ALU_MUL:
		if (from_reg)
			x86_imul_rr(buf, is64, dst, src);
		else
			x86_imul_ri(buf, is64, dst, dst, (int32_t)imm);
		break;
	case ALU_DIV: case ALU_SDIV: case ALU_MOD: case ALU_SMOD:
		if (from_reg)
			emit_divide_reg(buf, is64, is_signed, is_mod, dst, src);
		else
			emit_divide_imm(buf, is64, is_signed, is_mod, dst, imm);
		break;
	case ALU_LSH: case ALU_RSH: case ALU_ARSH:
		if (from_reg)
			emit_shift_reg(buf, shift_ops[index], is64, dst, src);
		else
			emit_shift_imm(buf, shift_ops[index], is64, dst, imm);
		break;
	case ALU_MOV:
		emit_mov(buf, is64, from_reg, dst, src, imm);
		break;
	}
}

/* to-LE is a truncation on a little-endian host; to-BE and bswap swap. */
static void emit_byte_order(struct jit_buf *buf, enum interp_op op, int dst)
{
	switch (op) {
	case INTERP_OP_LE16: x86_movzx_rr(buf, X86_16, dst, dst); break;
	case INTERP_OP_LE32: x86_mov_rr(buf, false, dst, dst); break;
	case INTERP_OP_LE64: break;
	case INTERP_OP_BE16: case INTERP_OP_BSWAP16:
		x86_rol16_8(buf, dst);
		x86_movzx_rr(buf, X86_16, dst, dst);
		break;
	case INTERP_OP_BE32: case INTERP_OP_BSWAP32: x86_bswap(buf, false, dst); break;
	default: x86_bswap(buf, true, dst); break; /* BE64, BSWAP64 */
	}
}

static void emit_unary(struct jit_ctx *ctx, enum interp_op op)
{
	struct jit_buf *buf = &ctx->buf;
	int dst = jit_dst(ctx), src = jit_src(ctx);

	switch (op) {
	case INTERP_OP_ALU64_MOVSX8: x86_movsx_rr(buf, X86_8, true, dst, src); break;
	case INTERP_OP_ALU64_MOVSX16: x86_movsx_rr(buf, X86_16, true, dst, src); break;
	case INTERP_OP_ALU64_MOVSX32: x86_movsx_rr(buf, X86_32, true, dst, src); break;
	case INTERP_OP_ALU32_MOVSX8: x86_movsx_rr(buf, X86_8, false, dst, src); break;
	case INTERP_OP_ALU32_MOVSX16: x86_movsx_rr(buf, X86_16, false, dst, src); break;
	case INTERP_OP_ALU64_NEG: x86_neg(buf, true, dst); break;
	case INTERP_OP_ALU32_NEG: x86_neg(buf, false, dst); break;
	default: emit_byte_order(buf, op, dst); break;
	}
}

void jit_emit_alu(struct jit_ctx *ctx, enum interp_op op)
{
	static const enum interp_op blocks[4] = { INTERP_OP_ALU64_ADD_K, INTERP_OP_ALU64_ADD_X,
						  INTERP_OP_ALU32_ADD_K, INTERP_OP_ALU32_ADD_X };

	for (int i = 0; i < 4; i++)
		if (op >= blocks[i] && op <= blocks[i] + ALU_MOV) {
			emit_alu_op(ctx, (enum alu_index)(op - blocks[i]), i < 2, i & 1);
			return;
		}
	emit_unary(ctx, op);
}
