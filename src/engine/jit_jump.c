/* Jumps: ja (and gotol), and the conditional jumps of JMP and JMP32. A
 * backward jump charges the budget with the length of the loop it closes
 * when it is taken (interp_decode.c sets the cost), exactly as the
 * interpreter does, so that both engines stop a run at the same point. */
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

_Static_assert(INTERP_OP_JMP64_JSLE_K - INTERP_OP_JMP64_JEQ_K == 10, "JMP block layout");

static enum x86_cc invert(enum x86_cc cc)
{
	return (enum x86_cc)(cc ^ 1);
}

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

/* `jcc target`. A target already emitted (a loop head: backward jumps are
 * the charged ones) has its address, so the jump is a rel8 when it reaches,
 * as the kernel's JIT makes it: a small loop's body takes fewer bytes to
 * fetch. Other targets are patched later, so rel32. */
static void emit_jcc_to(struct jit_ctx *ctx, enum x86_cc cc, uint32_t target)
{
	struct jit_buf *buf = &ctx->buf;

	if (target <= ctx->idx) {
		int64_t rel = (int64_t)ctx->addrs[target] - (int64_t)(jit_buf_pos(buf) + 2);

		if (rel >= INT8_MIN) {
			x86_jcc_rel8(buf, cc, (int8_t)rel);
			return;
		}
	}
	jit_rel32_to_insn(ctx, x86_jcc_rel32(buf, cc), target);
}

/* An uncharged jump (`jcc` when is_jcc, else `jmp`) to `target`, the last
 * bytes of its instruction. Forward ones are patched once every instruction
 * has its address: a rel8 when jit_relax.c marked it, otherwise a rel32 whose
 * saving as a rel8 is recorded for jit_relax.c to consider. */
static void emit_uncharged(struct jit_ctx *ctx, bool is_jcc, enum x86_cc cc, uint32_t target)
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
	if (target > ctx->idx)
		ctx->savings[ctx->idx] = is_jcc ? 6 - 2 : 5 - 2;
}

/* A taken jump to `target`, charged if it goes backwards: the jump itself
 * is taken while budget remains (one taken branch per loop round). */
static void emit_taken(struct jit_ctx *ctx, uint32_t target, int64_t cost)
{
	struct jit_buf *buf = &ctx->buf;

	if (!cost) {
		emit_uncharged(ctx, false, X86_CC_E, target);
		return;
	}
	jit_emit_budget_sub(buf, cost);
	emit_jcc_to(ctx, X86_CC_NS, target);
	jit_rel32_to_stub(ctx, x86_jmp_rel32(buf), JIT_STUB_BUDGET, 0);
}

static void emit_conditional(struct jit_ctx *ctx, enum x86_cc cc, uint32_t target, int64_t cost)
{
	struct jit_buf *buf = &ctx->buf;
	uint8_t *skip;

	if (!cost) {
		emit_uncharged(ctx, true, cc, target);
		return;
	}
	if (ctx->flags[ctx->idx] & JIT_EXIT_EDGE) {
		jit_rel32_to_stub(ctx, x86_jcc_rel32(buf, cc), JIT_STUB_CHARGED_JUMP, 0);
		return;
	}
	x86_jcc_rel8(buf, invert(cc), 0);
	skip = buf->p;
	emit_taken(ctx, target, cost);
	skip[-1] = (uint8_t)(buf->p - skip);
}

void jit_emit_jump(struct jit_ctx *ctx, enum interp_op op)
{
	static const enum interp_op blocks[4] = { INTERP_OP_JMP64_JEQ_K, INTERP_OP_JMP64_JEQ_X,
						  INTERP_OP_JMP32_JEQ_K, INTERP_OP_JMP32_JEQ_X };
	const struct interp_insn *decoded = jit_decoded(ctx);
	uint32_t target = jit_target_index(ctx, decoded->target);

	if (op == INTERP_OP_JA) {
		emit_taken(ctx, target, decoded->off);
		return;
	}
	for (int i = 0; i < 4; i++)
		if (op >= blocks[i] && op <= blocks[i] + 10) {
			unsigned index = (unsigned)(op - blocks[i]);

			emit_compare(ctx, index, i < 2, i & 1);
			emit_conditional(ctx, conditions[index], target, decoded->off);
			return;
		}
}
