/* Jumps: ja (and gotol), and the conditional jumps of JMP and JMP32. A
 * backward jump charges the budget with the length of the loop it closes
 * when it is taken (interp_decode.c sets the cost), exactly as the
 * interpreter does, so that both engines stop a run at the same point: it
 * goes through its target's charge (jit_compile.c). */
#include "engine/jit_internal.h"

/* Position of a condition inside one INTERP_JMP_OPS block, and its x86
 * condition after `cmp dst, src` (or `test` for jset). */
static const enum x86_cc conditions[11] = {
	X86_CC_E,  /* jeq */
	X86_CC_A,  /* jgt */
	X86_CC_AE, /* jge */
	X86_CC_NE, /* jset */
	X86_CC_NE, /* jne */
	X86_CC_G,  /* jsgt */
	X86_CC_GE, /* jsge */
	X86_CC_B,  /* jlt */
	X86_CC_BE, /* jle */
	X86_CC_L,  /* jslt */
	X86_CC_LE, /* jsle */
};

enum { JMP_INDEX_JSET = 3 };

/* x86 pairs each condition with its inverse in the lowest bit. */
static enum x86_cc invert(enum x86_cc cc)
{
	return (enum x86_cc)(cc ^ 1);
}

_Static_assert(INTERP_OP_JMP64_JSLE_K - INTERP_OP_JMP64_JEQ_K == 10, "JMP block layout");

/* Sets the flags for condition `index`. Comparing with 0 is a test. */
static void emit_compare(struct jit_ctx *ctx, unsigned index, bool is64, bool from_reg)
{
	struct jit_buf *buf = &ctx->buf;
	int dst = jit_dst(ctx);
	int32_t imm = jit_insn(ctx)->imm;

	if (index == JMP_INDEX_JSET) {
		if (from_reg)
			x86_test_rr(buf, is64, dst, jit_src(ctx));
		else
			x86_test_ri(buf, is64, dst, imm);
	} else if (from_reg) {
		x86_alu_rr(buf, X86_CMP, is64, dst, jit_src(ctx));
	} else if (imm == 0) {
		x86_test_rr(buf, is64, dst, dst); /* same flags as cmp dst, 0 */
	} else {
		x86_alu_ri(buf, X86_CMP, is64, dst, imm);
	}
}

/* A backward jump to loop head `target`'s charge (jit_compile.c), `jcc` when
 * is_jcc, else `jmp`: its address is known, so it is a rel8 when it
 * reaches, as the kernel's JIT makes it. */
static void emit_backward(struct jit_ctx *ctx, bool is_jcc, enum x86_cc cc, uint32_t target)
{
	struct jit_buf *buf = &ctx->buf;
	uint32_t charge = ctx->addrs[target] + JIT_LOOP_CHARGE_AT;
	int64_t rel = (int64_t)charge - (int64_t)(jit_buf_pos(buf) + 2);

	if (rel >= INT8_MIN) {
		if (is_jcc)
			x86_jcc_rel8(buf, cc, (int8_t)rel);
		else
			x86_jmp_rel8(buf, (int8_t)rel);
		return;
	}
	jit_patch_rel32(buf, is_jcc ? x86_jcc_rel32(buf, cc) : x86_jmp_rel32(buf), charge);
}

/* A forward jump (`jcc` when is_jcc, else `jmp`) to `target`, the last
 * bytes of its instruction, patched once every instruction has its address:
 * a rel8 when jit_relax.c marked it, otherwise a rel32 whose saving as a
 * rel8 is recorded for jit_relax.c to consider. */
static void emit_forward(struct jit_ctx *ctx, bool is_jcc, enum x86_cc cc, uint32_t target)
{
	struct jit_buf *buf = &ctx->buf;

	if (ctx->flags[ctx->idx] & JIT_SHORT_JUMP) {
		if (is_jcc)
			x86_jcc_rel8(buf, cc, 0);
		else
			x86_jmp_rel8(buf, 0);
		jit_rel8_to_insn(ctx, jit_buf_pos(buf) - 1, target);
		return;
	}
	jit_rel32_to_insn(ctx, is_jcc ? x86_jcc_rel32(buf, cc) : x86_jmp_rel32(buf), target);
	ctx->savings[ctx->idx] = is_jcc ? 6 - 2 : 5 - 2;
}

/* A jump to `target` (`jcc` when is_jcc, else `jmp`): backward ones are
 * charged, at their target. */
static void emit_jump_to(struct jit_ctx *ctx, bool is_jcc, enum x86_cc cc, uint32_t target)
{
	if (jit_decoded(ctx)->off)
		emit_backward(ctx, is_jcc, cc, target);
	else
		emit_forward(ctx, is_jcc, cc, target);
}

/* The condition of conditional jump `op`: its index in a JMP block, its
 * width and source. False for anything else. */
static bool condition_of(enum interp_op op, unsigned *index, bool *is64, bool *from_reg)
{
	static const enum interp_op blocks[4] = { INTERP_OP_JMP64_JEQ_K, INTERP_OP_JMP64_JEQ_X,
						  INTERP_OP_JMP32_JEQ_K, INTERP_OP_JMP32_JEQ_X };

	for (int i = 0; i < 4; i++)
		if (op >= blocks[i] && op <= blocks[i] + 10) {
			*index = (unsigned)(op - blocks[i]);
			*is64 = i < 2;
			*from_reg = i & 1;
			return true;
		}
	return false;
}

/* Whether instruction k is `if cond goto +1` over a goto that nothing else
 * jumps to: clang's switch trees are full of them. The pair is compiled as
 * the goto's jump with the condition inverted (`cmp; j!cc`): the compare
 * at k, the jump at k + 1, as the kernel's verifier leaves such a pair when
 * it knows the condition (opt_hard_wire_dead_code_branches). Either way
 * both paths take the same jumps as the interpreter, charges included. */
static bool skips_a_goto(const struct jit_ctx *ctx, uint32_t k)
{
	const struct bpf_insn *insn = &ctx->prog->insns[k];
	unsigned index;
	bool is64, from_reg;

	return k + 2 < ctx->prog->insn_cnt && isa_is_jmp(insn->code) && insn->off == 1 &&
	       condition_of(interp_decode_op(insn), &index, &is64, &from_reg) &&
	       ctx->ops[k + 1] == INTERP_OP_JA && !(ctx->flags[k + 1] & JIT_JUMP_TARGET);
}

void jit_emit_jump(struct jit_ctx *ctx, enum interp_op op)
{
	const struct interp_insn *decoded = jit_decoded(ctx);
	uint32_t target = jit_target_index(ctx, decoded->target);
	unsigned index = 0;
	bool is64, from_reg;

	if (op == INTERP_OP_JA && ctx->idx && skips_a_goto(ctx, ctx->idx - 1)) {
		condition_of(interp_decode_op(&ctx->prog->insns[ctx->idx - 1]), &index, &is64,
			     &from_reg);
		emit_jump_to(ctx, true, invert(conditions[index]), target);
	} else if (op == INTERP_OP_JA) {
		emit_jump_to(ctx, false, X86_CC_E, target);
	} else if (condition_of(op, &index, &is64, &from_reg)) {
		emit_compare(ctx, index, is64, from_reg);
		if (!skips_a_goto(ctx, ctx->idx))
			emit_jump_to(ctx, true, conditions[index], target);
	}
}
