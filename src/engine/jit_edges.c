/* Backward jumps that leave a loop rather than close one.
 *
 * A conditional backward jump is charged to the budget when taken
 * (interp_decode.c), so the JIT lays it out for the taken case:
 *
 *     cmp; j!cc skip; sub r9, cost; jns target; jmp budget_stub; skip:
 *
 * one taken branch per round of a loop it closes, but a taken branch
 * (j!cc skip) each time it is not taken. Compilers also place code that a
 * loop leaves for (the return value's computation, an error path) before
 * the loop, so that a bounds check or a `state == DONE` test inside the
 * loop is a backward jump that is almost never taken: an HTTP parser's
 * loop had four. Such a jump, whose target cannot reach it again, is
 * compiled as the kernel compiles a forward one, with the charge out of
 * line (JIT_STUB_CHARGED_JUMP):
 *
 *     cmp; jcc stub        stub: sub r9, cost; jns target; (budget exhausted)
 *
 * Whether the target reaches the jump is a walk of the control flow from
 * the target, bounded: past JIT_EDGE_WALK_MAX instructions, or on a tail
 * call, the jump is taken for a loop's. */
#include <string.h>

#include "engine/jit_internal.h"
#include "isa/isa.h"

#define JIT_EDGE_WALK_MAX 4096

/* Pushes `k` on the walk's stack unless it was seen. */
static void visit(struct jit_ctx *ctx, uint32_t k, uint32_t *top)
{
	if (k >= ctx->prog->insn_cnt || ctx->walk_seen[k])
		return;
	ctx->walk_seen[k] = 1;
	ctx->walk_stack[(*top)++] = k;
}

/* Whether control can flow from instruction `from` to instruction `to`
 * (true when the walk gives up). */
static bool reaches(struct jit_ctx *ctx, uint32_t from, uint32_t to)
{
	const struct bpfvm_prog *prog = ctx->prog;
	uint32_t top = 0, steps = 0;

	memset(ctx->walk_seen, 0, prog->insn_cnt);
	visit(ctx, from, &top);
	while (top) {
		uint32_t k = ctx->walk_stack[--top];
		const struct bpf_insn *insn = &prog->insns[k];
		enum interp_op op = (enum interp_op)ctx->ops[k];

		if (k == to || ++steps > JIT_EDGE_WALK_MAX || op == INTERP_OP_TAIL_CALL)
			return true;
		if (op == INTERP_OP_EXIT)
			continue;
		if (op >= INTERP_OP_JA && op < INTERP_OP_CALL_HELPER) {
			visit(ctx, jit_target_index(ctx, ctx->decoded->insns[k].target), &top);
			if (op == INTERP_OP_JA)
				continue;
		}
		visit(ctx, k + (isa_is_lddw(insn->code) ? 2 : 1), &top);
	}
	return false;
}

void jit_mark_exit_edges(struct jit_ctx *ctx)
{
	const struct bpfvm_prog *prog = ctx->prog;

	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		enum interp_op op = (enum interp_op)ctx->ops[idx];
		const struct interp_insn *decoded = &ctx->decoded->insns[idx];

		if (op > INTERP_OP_JA && op < INTERP_OP_CALL_HELPER && decoded->off > 0 &&
		    !reaches(ctx, jit_target_index(ctx, decoded->target), idx))
			ctx->flags[idx] |= JIT_EXIT_EDGE;
		if (isa_is_lddw(prog->insns[idx].code))
			idx++;
	}
}
