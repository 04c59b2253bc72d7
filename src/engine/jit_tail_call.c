/* bpf_tail_call(ctx = r1, map = r2, index = r3) as the kernel's x86 JIT
 * does it (emit_bpf_tail_call_indirect), a jump and never a call:
 *
 *     if (no tail call left (r9's low bits))          goto out;
 *     if ((u32)index >= array->slot_cnt)               goto out;
 *     prog = array->slots[(u32)index];  (a plain load is an acquire on x86)
 *     if (!prog)                                       goto out;
 *     if (prog->stack_max > r10 - stack_bottom)        goto out;
 *     if (!prog->jit_body)                             goto out;
 *     r9--;  run->prog = prog;       (one tail call fewer left)
 *     goto *prog->jit_body;           (same frame, same r1 and r10)
 *   out:                              (falls through, nothing counted)
 *
 * The count of tail calls left rides in R9's low bits with the budget
 * (jit_internal.h), so a hop does not wait for the previous hop's store;
 * jit_execute hands it to and from run_ctx.tail_call_cnt and shares it
 * with callbacks, so every frame of the invocation counts against one
 * limit, as SEMANTICS.md wants.
 * The stack test is the interpreter's tail_call_fits(), so that a tail call
 * made from a subprogram is refused by both engines alike; its depth test
 * cannot fail after at most 33 tail calls (asserted below), so it is not
 * made. A target without machine code cannot be in a JIT program's array
 * (the owner rule compares the engines, prog_array.c); the test is a
 * guard. A program taken out of its slot is freed only after a grace
 * period (engine/vcpu.h), so the code jumped to stays mapped for the run. */
#include <stddef.h>

#include "engine/jit_internal.h"
#include "engine/prog.h"
#include "engine/run_ctx.h"
#include "maps/fd_array.h"

_Static_assert(MAX_TAIL_CALL_CNT * (ISA_MAX_CALL_FRAMES - 1) + ISA_MAX_CALL_FRAMES <=
	       INTERP_RUN_FRAMES, "tail_call_fits()'s depth test never fails");

#define PROG_AT(reg, field) x86_at(reg, (int32_t)offsetof(struct bpfvm_prog, field))

/* The run-time sequence above; falls through to its end on failure. */
static void emit_indirect(struct jit_ctx *ctx)
{
	struct jit_buf *buf = &ctx->buf;
	uint32_t out[6];
	unsigned out_cnt = 0;

	x86_test_ri(buf, false, JIT_BUDGET, JIT_TAIL_MASK);
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_E);

	x86_load(buf, X86_64, JIT_TMP, x86_at(X86_RSI, (int32_t)offsetof(struct bpfvm_map, private)));
	x86_mov_rr(buf, false, JIT_TMP2, X86_RDX);
	x86_alu_rm(buf, X86_CMP, false, JIT_TMP2,
		   x86_at(JIT_TMP, (int32_t)offsetof(struct fd_array_private, slot_cnt)));
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_AE);
	x86_load(buf, X86_64, JIT_TMP, (struct x86_mem){
		.base = JIT_TMP, .index = JIT_TMP2, .scale = 8,
		.disp = (int32_t)offsetof(struct fd_array_private, slots) });
	x86_test_rr(buf, true, JIT_TMP, JIT_TMP);
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_E);

	x86_mov_rr(buf, true, JIT_TMP2, X86_RBP);
	x86_alu_rm(buf, X86_SUB, true, JIT_TMP2, JIT_STATE_AT(stack_bottom));
	x86_alu_rm(buf, X86_CMP, false, JIT_TMP2, PROG_AT(JIT_TMP, stack_max));
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_B);
	x86_alu_mi(buf, X86_CMP, X86_64, PROG_AT(JIT_TMP, jit_body), 0);
	out[out_cnt++] = x86_jcc_rel32(buf, X86_CC_E);

	x86_alu_ri(buf, X86_SUB, true, JIT_BUDGET, 1);
	x86_load(buf, X86_64, JIT_TMP2, JIT_STATE_AT(run));
	x86_store(buf, X86_64, RUN_AT(JIT_TMP2, prog), JIT_TMP);
	x86_load(buf, X86_64, JIT_TMP, PROG_AT(JIT_TMP, jit_body));
	x86_jmp_reg(buf, JIT_TMP);

	for (unsigned i = 0; i < out_cnt; i++)
		jit_patch_rel32(buf, out[i], jit_buf_pos(buf));
}

/* Whether the tail call being compiled has a constant map and key: the
 * decoder fused it with its `r2 = map ll` and `r3 = K` (interp_decode.c)
 * and no jump lands after the first of the three, where another path could
 * bring other values. */
static bool constant_tail_call(const struct jit_ctx *ctx, const struct bpfvm_map **array,
			       uint32_t *key)
{
	const struct interp_insn *first;

	if (ctx->idx < 3)
		return false;
	first = &ctx->decoded->insns[ctx->idx - 3];
	if (first->label != interp_labels()[INTERP_OP_TAIL_CALL_CONST])
		return false;
	for (uint32_t i = ctx->idx - 2; i <= ctx->idx; i++)
		if (ctx->flags[i] & JIT_JUMP_TARGET)
			return false;
	*array = (const struct bpfvm_map *)(uintptr_t)first->imm;
	*key = (uint32_t)first->off;
	return true;
}

/* The kernel's emit_bpf_tail_call_direct: the count test, then a site that
 * jit_poke.c points at the target's tail entry (which makes the stack test
 * and counts), at the fall-through, or at the run-time sequence. */
static void emit_direct(struct jit_ctx *ctx, const struct bpfvm_map *array, uint32_t key)
{
	struct jit_buf *buf = &ctx->buf;
	uint32_t at_limit, out_lea, site;

	x86_test_ri(buf, false, JIT_BUDGET, JIT_TAIL_MASK);
	at_limit = x86_jcc_rel32(buf, X86_CC_E);
	out_lea = x86_lea_rip(buf, JIT_TMP2);
	x86_align(buf, 8);
	ctx->flags[ctx->idx] |= JIT_INNER_PAD; /* its size varies: jit_relax.c */
	site = jit_buf_pos(buf);
	x86_bytes(buf, jit_nop5, sizeof(jit_nop5));
	emit_indirect(ctx);
	jit_patch_rel32(buf, at_limit, jit_buf_pos(buf));
	jit_patch_rel32(buf, out_lea, jit_buf_pos(buf));
	ctx->pokes[ctx->poke_cnt++] = (struct jit_poke){
		.array = array, .key = key, .site = site, .out = jit_buf_pos(buf),
	};
}

void jit_emit_tail_call(struct jit_ctx *ctx)
{
	const struct bpfvm_map *array;
	uint32_t key;

	if (constant_tail_call(ctx, &array, &key))
		emit_direct(ctx, array, key);
	else
		emit_indirect(ctx);
}

/* tail_call_fits()'s stack test with this program's stack_max: to `fail`
 * when (u32)(r10 - stack_bottom) < stack_max. */
static void emit_tail_entry_stack_test(struct jit_ctx *ctx, uint32_t fail)
{
	struct jit_buf *buf = &ctx->buf;

	x86_mov_rr(buf, true, JIT_TMP, X86_RBP);
	x86_alu_rm(buf, X86_SUB, true, JIT_TMP, JIT_STATE_AT(stack_bottom));
	x86_alu_ri(buf, X86_CMP, false, JIT_TMP, (int32_t)ctx->prog->stack_max);
	x86_jcc_rel8(buf, X86_CC_B, (int8_t)((int64_t)fail - (jit_buf_pos(buf) + 2)));
}

/* In front of the body (jit_compile.c), where a site jumps with r11 = its
 * fall-through: the stack test of tail_call_fits() with this program's
 * stack_max, then what a successful tail call does.
 *
 *     fail:  jmp r11
 *     tail_entry:
 *            r10 = rbp - stack_bottom;  if ((u32)r10 < stack_max) goto fail
 *            r9-- (one tail call fewer left);  run->prog = this program
 *     body: */
void jit_emit_tail_entry(struct jit_ctx *ctx)
{
	struct jit_buf *buf = &ctx->buf;
	uint32_t fail = jit_buf_pos(buf);

	x86_jmp_reg(buf, JIT_TMP2);
	ctx->tail_entry = jit_buf_pos(buf);
	if (ctx->prog->stack_max) /* else any room will do */
		emit_tail_entry_stack_test(ctx, fail);
	x86_alu_ri(buf, X86_SUB, true, JIT_BUDGET, 1);
	x86_load(buf, X86_64, JIT_TMP, JIT_STATE_AT(run));
	x86_mov_ri(buf, true, JIT_TMP2, (int64_t)(uintptr_t)ctx->prog);
	x86_store(buf, X86_64, RUN_AT(JIT_TMP, prog), JIT_TMP2);
}
