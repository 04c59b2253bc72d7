/* Forward jumps made short: rel8 where they reach, as the kernel's JIT
 * makes them.
 *
 * The kernel's bpf_int_jit_compile runs do_jit again and again, each pass
 * sizing every jump from the previous pass's addresses, until the image
 * stops shrinking: a compare chain (a switch) then takes 2-byte jumps where
 * a one-pass JIT takes 6-byte ones, a third of its bytes. Here the first
 * pass emits every forward jump as a rel32 and records each instruction's
 * size; this file then shrinks jumps on those sizes alone, without emitting,
 * and the code is emitted once more with the jumps it marked.
 *
 * A jump is marked only when it is sure to reach in the final code whatever
 * else shrinks, so marks are never taken back and the loop ends (at most
 * one round per jump; two or three in practice). What it bounds:
 *
 * - Every instruction's code (alignment in front of it aside) is at most
 *   the first pass's, less what a marked jump saves. Backward jumps, sized
 *   when emitted from exact addresses, target the charge of a 16-byte
 *   aligned loop head, a fixed 2 bytes in (jit_compile.c), so their
 *   distance can only shrink with the code between them.
 * - Alignment can grow where code in front of it shrinks: a loop head's
 *   padding is counted as its maximum (15 bytes), and an instruction with
 *   a poke site inside (jit_tail_call.c: 8-byte aligned) gets 7 more.
 *
 * Loop-free code therefore gets exactly the jumps that fit (distances of
 * at most 127 bytes); a jump that crosses a loop head may stay a rel32 a few
 * bytes early. jit_compile.c checks every rel8 when it patches it and emits
 * without short jumps if one does not reach (it cannot happen but costs
 * nothing to check). */
#include "engine/jit_internal.h"

#define LOOP_PAD_MAX 15 /* JIT_LOOP_ALIGN - 1 */
#define INNER_PAD_MAX 7

/* Most bytes instruction `k` can take in the final code, its padding in
 * front included. */
static uint32_t size_bound(const struct jit_ctx *ctx, uint32_t k)
{
	uint32_t next = k + 1 < ctx->prog->insn_cnt ? ctx->addrs[k + 1] - ctx->pads[k + 1]
						       : ctx->body_end;
	uint32_t size = next - ctx->addrs[k];

	if (ctx->flags[k] & JIT_SHORT_JUMP)
		size -= ctx->savings[k];
	if (ctx->flags[k] & JIT_INNER_PAD)
		size += INNER_PAD_MAX;
	if (ctx->flags[k] & JIT_LOOP_HEAD)
		size += LOOP_PAD_MAX;
	return size;
}

/* One round: marks the jumps that reach on the current bounds. */
static bool relax_round(struct jit_ctx *ctx)
{
	uint32_t n = ctx->prog->insn_cnt;
	bool marked = false;

	ctx->sums[0] = 0;
	for (uint32_t k = 0; k < n; k++)
		ctx->sums[k + 1] = ctx->sums[k] + size_bound(ctx, k);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t target, reach;

		if (!ctx->savings[i] || (ctx->flags[i] & JIT_SHORT_JUMP))
			continue;
		/* the jump ends its instruction: it reaches over the ones between
		 * and the target's own padding */
		target = jit_target_index(ctx, ctx->decoded->insns[i].target);
		reach = ctx->sums[target] - ctx->sums[i + 1];
		if (ctx->flags[target] & JIT_LOOP_HEAD)
			reach += LOOP_PAD_MAX;
		if (reach <= INT8_MAX) {
			ctx->flags[i] |= JIT_SHORT_JUMP;
			marked = true;
		}
	}
	return marked;
}

bool jit_relax(struct jit_ctx *ctx)
{
	bool any = false;

	while (relax_round(ctx))
		any = true;
	return any;
}
