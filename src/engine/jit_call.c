/* Calls and exits: helpers (r1..r5 are already the SysV argument registers,
 * r0 the return register), callx, local calls with their frames, exit, and
 * the legacy packet loads, which call the interpreter's packet_load.
 *
 * C code clobbers R9 (the budget): it is kept in the run state across the
 * call. r6..r9 and r10 live in callee-saved registers, so helpers keep
 * them. The native stack is 16-byte aligned at every call (jit_internal.h). */
#include <stdlib.h>

#include "engine/interp_ops.h"
#include "engine/jit_internal.h"

void jit_emit_c_call(struct jit_ctx *ctx, const void *fn)
{
	x86_store(&ctx->buf, X86_64, JIT_STATE_AT(budget), JIT_BUDGET);
	jit_emit_call_abs(ctx, fn);
	x86_load(&ctx->buf, X86_64, JIT_BUDGET, JIT_STATE_AT(budget));
}

/* callx: the helper whose id is in dst, from the table the program was
 * loaded with (interp_decode's snapshot); an unknown id ends the run. */
static void emit_callx(struct jit_ctx *ctx)
{
	const struct interp_code *decoded = ctx->decoded;
	struct jit_buf *buf = &ctx->buf;
	int dst = jit_dst(ctx);
	uint8_t reg = jit_insn(ctx)->dst_reg;

	if (!decoded->callx_helper_cnt) {
		jit_rel32_to_stub(ctx, x86_jmp_rel32(buf), JIT_STUB_CALLX, reg);
		return;
	}
	x86_mov_ri(buf, true, JIT_TMP2, (int64_t)(uintptr_t)decoded->callx_helpers);
	x86_alu_ri(buf, X86_CMP, true, dst, (int32_t)decoded->callx_helper_cnt);
	jit_rel32_to_stub(ctx, x86_jcc_rel32(buf, X86_CC_AE), JIT_STUB_CALLX, reg);
	x86_load(buf, X86_64, JIT_TMP2,
		 (struct x86_mem){ .base = JIT_TMP2, .index = dst, .scale = 8, .disp = 0 });
	x86_test_rr(buf, true, JIT_TMP2, JIT_TMP2);
	jit_rel32_to_stub(ctx, x86_jcc_rel32(buf, X86_CC_E), JIT_STUB_CALLX, reg);
	x86_store(buf, X86_64, JIT_STATE_AT(budget), JIT_BUDGET);
	x86_call_reg(buf, JIT_TMP2);
	x86_load(buf, X86_64, JIT_BUDGET, JIT_STATE_AT(budget));
}

/* A local call: charge the callee's length, keep r6..r9 and r10 on the
 * native stack (five pushes and the return address keep it aligned), move
 * r10 down by the caller's frame, call. */
static void emit_local_call(struct jit_ctx *ctx)
{
	static const int kept[5] = { X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP };
	const struct interp_insn *decoded = jit_decoded(ctx);
	struct jit_buf *buf = &ctx->buf;

	jit_emit_charge(ctx, decoded->imm);
	for (int i = 0; i < 5; i++)
		x86_push(buf, kept[i]);
	if (decoded->off)
		x86_alu_ri(buf, X86_SUB, true, X86_RBP, decoded->off);
	jit_rel32_to_insn(ctx, x86_call_rel32(buf), jit_target_index(ctx, decoded->target));
	for (int i = 4; i >= 0; i--)
		x86_pop(buf, kept[i]);
}

/* ld_abs / ld_ind: r0 = the packet's bytes in network order, by the
 * interpreter's packet_load; out of range is `r0 = 0; exit` of the current
 * function. r1..r5 and the budget survive the C call (six pushes: aligned). */
static void emit_packet_load(struct jit_ctx *ctx, enum interp_op op)
{
	static const int kept[6] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9 };
	static const uint8_t sizes[3] = { 1, 2, 4 };
	bool indirect = op >= INTERP_OP_LD_IND_B;
	unsigned size = sizes[op - (indirect ? INTERP_OP_LD_IND_B : INTERP_OP_LD_ABS_B)];
	int32_t imm = jit_insn(ctx)->imm;
	struct jit_buf *buf = &ctx->buf;
	uint8_t *skip;

	x86_mov_ri(buf, false, JIT_TMP2, imm);
	if (indirect)
		x86_alu_rr(buf, X86_ADD, false, JIT_TMP2, jit_src(ctx)); /* src32 + imm32 */
	for (int i = 0; i < 6; i++)
		x86_push(buf, kept[i]);
	x86_mov_rr(buf, true, X86_RDI, JIT_STATE);
	x86_mov_rr(buf, false, X86_RSI, JIT_TMP2);
	x86_mov_ri(buf, false, X86_RDX, size);
	jit_emit_call_abs(ctx, (const void *)jit_packet_load);
	for (int i = 5; i >= 0; i--)
		x86_pop(buf, kept[i]);
	x86_test_rr(buf, true, X86_RAX, X86_RAX);
	x86_jcc_rel8(buf, X86_CC_NS, 0);
	skip = buf->p;
	x86_mov_ri(buf, false, X86_RAX, 0);
	x86_ret(buf);
	skip[-1] = (uint8_t)(buf->p - skip);
}

uint64_t jit_packet_load(const struct jit_state *state, uint64_t offset, uint64_t size)
{
	uint64_t value;

	if (!packet_load(state->interp_run, offset, (unsigned)size, &value))
		return JIT_PACKET_OUT_OF_RANGE;
	return value;
}

void jit_emit_call(struct jit_ctx *ctx, enum interp_op op)
{
	switch (op) {
	case INTERP_OP_CALL_HELPER:
		if (!jit_emit_inline_helper(ctx))
			jit_emit_c_call(ctx, (const void *)jit_decoded(ctx)->helper);
		break;
	case INTERP_OP_CALLX:
		emit_callx(ctx);
		break;
	case INTERP_OP_CALL_LOCAL:
		emit_local_call(ctx);
		break;
	case INTERP_OP_TAIL_CALL:
		jit_emit_tail_call(ctx);
		break;
	case INTERP_OP_EXIT:
		x86_ret(&ctx->buf);
		break;
	case INTERP_OP_LD_ABS_B: case INTERP_OP_LD_ABS_H: case INTERP_OP_LD_ABS_W:
	case INTERP_OP_LD_IND_B: case INTERP_OP_LD_IND_H: case INTERP_OP_LD_IND_W:
		emit_packet_load(ctx, op);
		break;
	default:
		/* TAIL_CALL_CONST is the interpreter's fusion of three
		 * instructions: interp_decode_op never gives it */
		abort();
	}
}
