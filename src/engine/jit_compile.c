/* The JIT's driver: one pass over the decoded program, emitting straight
 * into its piece of a code pack (through the writable view, for the address
 * it runs at), then the cold stubs, then the forward references.
 *
 *     code mapping
 *     +---------------------+ 0
 *     | entry stub          |  saves the C callee-saved registers, loads
 *     |                     |  r1..r5, r10, the budget; calls the entry
 *     | error exit          |  restores rsp from the run state, returns
 *     | tail entry          |  where constant-key tail calls land (stack
 *     |                     |  test, count, run->prog), falls into the body
 *     +---------------------+ body
 *     | instruction 0 ...   |  the main program, then its subprograms:
 *     |                     |  a tail call jumps here, past the entry stub
 *     +---------------------+
 *     | stubs               |  budget exhausted, callx without a helper
 *     +---------------------+
 *
 * A loop head (the target of backward jumps) is charged once for all of
 * them, in front of its instruction:
 *
 *     head:    jmp over         entered from above: not a round
 *     charge:  sub r9, cost     every backward jump to head goes here
 *              js budget_stub   (its cost is the same whichever is taken,
 *     over:    instruction      interp_decode.c)
 *
 * so that a back edge is a plain jmp or jcc, 2 bytes where it reaches, as in
 * the kernel's code, and a round costs one taken branch.
 *
 * Forward jumps, calls and leas are rel32s patched once every instruction
 * has its address; backward jumps are rel8s where they reach. When forward
 * jumps could be rel8s too, jit_relax.c marks them from the first pass's
 * sizes and a second pass emits the code again over the first (the kernel's
 * JIT iterates its passes the same way). Code is written at its final
 * address, so helper calls are rel32 when the helper is within reach. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/jit_internal.h"
#include "engine/prog.h"
#include "isa/isa.h"

const uint8_t jit_reg[11] = {
	X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8,
	X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};

/* Most bytes one instruction's code takes (a tail call, about 90; a loop
 * head's charge adds at most 21), one stub's, and the entry stub's. */
#define JIT_MAX_INSN_BYTES 160
#define JIT_MAX_STUB_BYTES 48
#define JIT_ENTRY_BYTES 224
/* Loop heads (targets of backward jumps) start on a 16-byte boundary, so
 * that a small loop's body is fetched and decoded in as few blocks as
 * possible (measured: up to 1.5x on a checksum loop). */
#define JIT_LOOP_ALIGN 16

_Static_assert(INTERP_OP_BSWAP64 + 1 == INTERP_OP_JA &&
	       INTERP_OP_JMP32_JSLE_X + 1 == INTERP_OP_CALL_HELPER &&
	       INTERP_OP_EXIT + 1 == INTERP_OP_LDX_B && INTERP_OP_LDDW + 1 == INTERP_OP_LD_ABS_B &&
	       INTERP_OP_LD_IND_W + 1 == INTERP_OP_COUNT, "families of enum interp_op in order");

bool jit_available(void)
{
	return true;
}

void jit_rel32_to_insn(struct jit_ctx *ctx, uint32_t at, uint32_t insn)
{
	ctx->fixups[ctx->fixup_cnt++] = (struct jit_fixup){ .at = at, .insn = insn };
}

void jit_rel8_to_insn(struct jit_ctx *ctx, uint32_t at, uint32_t insn)
{
	ctx->fixups[ctx->fixup_cnt++] = (struct jit_fixup){ .at = at, .insn = insn, .rel8 = true };
}

void jit_rel32_to_stub(struct jit_ctx *ctx, uint32_t at, enum jit_stub_kind kind, uint8_t reg)
{
	ctx->stubs[ctx->stub_cnt++] = (struct jit_stub){
		.at = at, .insn = ctx->idx, .kind = (uint8_t)kind, .reg = reg,
	};
}

void jit_emit_budget_sub(struct jit_buf *buf, int64_t cost)
{
	int64_t scaled = cost * ((int64_t)1 << JIT_TAIL_BITS);

	if (x86_fits_i32(scaled)) {
		x86_alu_ri(buf, X86_SUB, true, JIT_BUDGET, (int32_t)scaled);
	} else {
		x86_mov_ri(buf, true, JIT_TMP2, scaled);
		x86_alu_rr(buf, X86_SUB, true, JIT_BUDGET, JIT_TMP2);
	}
}

void jit_emit_charge(struct jit_ctx *ctx, int64_t cost)
{
	jit_emit_budget_sub(&ctx->buf, cost);
	jit_rel32_to_stub(ctx, x86_jcc_rel32(&ctx->buf, X86_CC_S), JIT_STUB_BUDGET, 0);
}

void jit_emit_call_abs(struct jit_ctx *ctx, const void *fn)
{
	struct jit_buf *buf = &ctx->buf;
	int64_t rel = (int64_t)((uintptr_t)fn - (jit_buf_run_addr(buf) + 5));

	if (x86_fits_i32(rel)) {
		uint32_t at = x86_call_rel32(buf);

		jit_patch_rel32(buf, at, (uint32_t)(at + 4 + rel));
	} else {
		x86_mov_ri(buf, true, JIT_TMP2, (int64_t)(uintptr_t)fn);
		x86_call_reg(buf, JIT_TMP2);
	}
}

static const int entry_saved[6] = { X86_RBX, X86_RBP, X86_R12, X86_R13, X86_R14, X86_R15 };

/* uint64_t entry(struct jit_state *state): saves the C callee-saved
 * registers (six pushes keep rsp % 16 == 8, so that the call below enters
 * the function with the stack aligned as jit_internal.h draws it), loads
 * the BPF registers, calls state->entry, stores the budget back. Sets
 * *epilogue to the offset of the register restore, where errors leave. */
static void emit_entry_stub(struct jit_buf *buf, uint32_t *epilogue)
{
	static const int args[5] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8 };
	static const int zeroed[5] = { X86_RAX, X86_RBX, X86_R13, X86_R14, X86_R15 };

	for (int i = 0; i < 6; i++)
		x86_push(buf, entry_saved[i]);
	x86_mov_rr(buf, true, JIT_STATE, X86_RDI);
	x86_store(buf, X86_64, JIT_STATE_AT(saved_rsp), X86_RSP);
	x86_load(buf, X86_64, X86_RBP, JIT_STATE_AT(stack_top));
	x86_load(buf, X86_64, JIT_BUDGET, JIT_STATE_AT(budget));
	for (int i = 0; i < 5; i++)
		x86_load(buf, X86_64, args[i], x86_at(JIT_STATE, (int32_t)(offsetof(struct jit_state,
										 args) + 8 * i)));
	for (int i = 0; i < 5; i++) /* the interpreter starts them at 0 too */
		x86_mov_ri(buf, false, zeroed[i], 0);
	x86_call_mem(buf, JIT_STATE_AT(entry));
	x86_store(buf, X86_64, JIT_STATE_AT(budget), JIT_BUDGET);
	*epilogue = jit_buf_pos(buf);
	for (int i = 5; i >= 0; i--)
		x86_pop(buf, entry_saved[i]);
	x86_ret(buf);
}

/* Leaves from any depth: the error is in the run state already. */
static uint32_t emit_error_exit(struct jit_buf *buf, uint32_t epilogue)
{
	uint32_t error_exit = jit_buf_pos(buf);

	x86_load(buf, X86_64, X86_RSP, JIT_STATE_AT(saved_rsp));
	jit_patch_rel32(buf, x86_jmp_rel32(buf), epilogue);
	return error_exit;
}

static void emit_stub(struct jit_ctx *ctx, const struct jit_stub *stub, uint32_t error_exit)
{
	struct jit_buf *buf = &ctx->buf;
	int32_t error = stub->kind == JIT_STUB_CALLX ? -EINVAL : -ETIME;

	jit_patch_rel32(buf, stub->at, jit_buf_pos(buf));
	if (stub->kind == JIT_STUB_CALLX) {
		x86_store(buf, X86_64, JIT_STATE_AT(error_value), jit_reg[stub->reg]);
		x86_store_imm(buf, X86_32, JIT_STATE_AT(error_reg), stub->reg);
	}
	x86_store_imm(buf, X86_32, JIT_STATE_AT(error_insn), (int32_t)stub->insn);
	x86_store_imm(buf, X86_32, JIT_STATE_AT(error), error);
	jit_patch_rel32(buf, x86_jmp_rel32(buf), error_exit);
}

/* jit_code_bound's promise: every piece fits the room it was given. */
static void check_size(uint32_t start, uint32_t end, uint32_t max)
{
	assert(end - start <= max);
}

static void emit_insn(struct jit_ctx *ctx, enum interp_op op)
{
	if (op < INTERP_OP_JA)
		jit_emit_alu(ctx, op);
	else if (op < INTERP_OP_CALL_HELPER)
		jit_emit_jump(ctx, op);
	else if (op < INTERP_OP_LDX_B || op > INTERP_OP_LDDW)
		jit_emit_call(ctx, op);
	else
		jit_emit_memory(ctx, op);
}

/* Sets ctx->ops and ctx->flags: jump targets (the decoder gave backward jumps a budget
 * cost: their targets are loop heads, with that cost) and functions' starts. */
static void mark_targets(struct jit_ctx *ctx)
{
	const struct interp_insn *decoded = ctx->decoded->insns;
	const struct bpfvm_prog *prog = ctx->prog;

	memset(ctx->flags, 0, prog->insn_cnt);
	memset(ctx->loop_costs, 0, prog->insn_cnt * sizeof(*ctx->loop_costs));
	for (uint32_t i = 0; i < prog->subprog_cnt; i++)
		ctx->flags[prog->subprogs[i].start] |= JIT_JUMP_TARGET;
	for (uint32_t idx = 0; idx < prog->insn_cnt; idx++) {
		enum interp_op op = interp_decode_op(&prog->insns[idx]);

		ctx->ops[idx] = (uint16_t)op;
		if (op >= INTERP_OP_JA && op < INTERP_OP_CALL_HELPER) {
			uint32_t target = jit_target_index(ctx, decoded[idx].target);

			ctx->flags[target] |= JIT_JUMP_TARGET;
			if (decoded[idx].off > 0) {
				ctx->flags[target] |= JIT_LOOP_HEAD;
				ctx->loop_costs[target] = decoded[idx].off;
			}
		}
		if (isa_is_lddw(prog->insns[idx].code))
			idx++;
	}
}

/* A loop head's charge (see the top of this file). */
static void emit_loop_charge(struct jit_ctx *ctx)
{
	struct jit_buf *buf = &ctx->buf;
	uint8_t *over;

	x86_jmp_rel8(buf, 0);
	over = buf->p;
	jit_emit_charge(ctx, ctx->loop_costs[ctx->idx]);
	over[-1] = (uint8_t)(buf->p - over);
}

static void emit_body(struct jit_ctx *ctx)
{
	const struct bpfvm_prog *prog = ctx->prog;

	memset(ctx->pads, 0, prog->insn_cnt);
	memset(ctx->savings, 0, prog->insn_cnt);
	for (ctx->idx = 0; ctx->idx < prog->insn_cnt; ctx->idx++) {
		const struct bpf_insn *insn = &prog->insns[ctx->idx];
		uint32_t start = jit_buf_pos(&ctx->buf);

		if (ctx->flags[ctx->idx] & JIT_LOOP_HEAD)
			x86_align(&ctx->buf, JIT_LOOP_ALIGN);
		ctx->addrs[ctx->idx] = jit_buf_pos(&ctx->buf);
		ctx->pads[ctx->idx] = (uint8_t)(ctx->addrs[ctx->idx] - start);
		if (ctx->flags[ctx->idx] & JIT_LOOP_HEAD)
			emit_loop_charge(ctx);
		emit_insn(ctx, (enum interp_op)ctx->ops[ctx->idx]);
		check_size(ctx->addrs[ctx->idx], jit_buf_pos(&ctx->buf), JIT_MAX_INSN_BYTES);
		if (isa_is_lddw(insn->code))
			ctx->addrs[++ctx->idx] = jit_buf_pos(&ctx->buf);
	}
	ctx->body_end = jit_buf_pos(&ctx->buf);
}

static void free_ctx(struct jit_ctx *ctx)
{
	free(ctx->addrs);
	free(ctx->flags);
	free(ctx->ops);
	free(ctx->pads);
	free(ctx->savings);
	free(ctx->sums);
	free(ctx->loop_costs);
	free(ctx->fixups);
	free(ctx->stubs);
	free(ctx->pokes);
}

static int alloc_ctx(struct jit_ctx *ctx, const struct bpfvm_prog *prog)
{
	size_t n = prog->insn_cnt;

	*ctx = (struct jit_ctx){ .prog = prog, .decoded = prog->interp };
	ctx->addrs = malloc(n * sizeof(*ctx->addrs));
	ctx->flags = malloc(n);
	ctx->ops = malloc(n * sizeof(*ctx->ops));
	ctx->pads = malloc(n);
	ctx->savings = malloc(n);
	ctx->sums = malloc((n + 1) * sizeof(*ctx->sums));
	ctx->loop_costs = malloc(n * sizeof(*ctx->loop_costs));
	ctx->fixups = malloc(n * sizeof(*ctx->fixups));
	ctx->stubs = malloc(2 * n * sizeof(*ctx->stubs));
	ctx->pokes = malloc((n / 4 + 1) * sizeof(*ctx->pokes)); /* lddw, mov, call */
	if (!ctx->addrs || !ctx->flags || !ctx->ops || !ctx->pads || !ctx->savings || !ctx->sums ||
	    !ctx->loop_costs || !ctx->fixups || !ctx->stubs || !ctx->pokes) {
		free_ctx(ctx);
		return -ENOMEM;
	}
	return 0;
}

size_t jit_code_bound(const struct bpfvm_prog *prog)
{
	return JIT_ENTRY_BYTES + (size_t)prog->insn_cnt * (JIT_LOOP_ALIGN + JIT_MAX_INSN_BYTES +
							     2 * JIT_MAX_STUB_BYTES);
}

/* Points the forward references at their targets; false when a rel8 does
 * not reach (jit_relax.c says it cannot happen). */
static bool patch_fixups(struct jit_ctx *ctx)
{
	for (uint32_t i = 0; i < ctx->fixup_cnt; i++) {
		const struct jit_fixup *fixup = &ctx->fixups[i];
		int64_t rel = (int64_t)ctx->addrs[fixup->insn] - (fixup->at + 1);

		if (!fixup->rel8) {
			jit_patch_rel32(&ctx->buf, fixup->at, ctx->addrs[fixup->insn]);
			continue;
		}
		if (!x86_fits_i8(rel))
			return false;
		ctx->buf.start[fixup->at] = (uint8_t)rel;
	}
	return true;
}

/* Emits everything into ctx->buf from its start, with the jumps that
 * ctx->flags marks short; sets *body to the body's offset. False when a
 * short jump does not reach. */
static bool emit_all(struct jit_ctx *ctx, uint32_t *body_at)
{
	uint32_t epilogue, error_exit, body;

	ctx->buf.p = ctx->buf.start;
	ctx->fixup_cnt = ctx->stub_cnt = ctx->poke_cnt = 0;
	emit_entry_stub(&ctx->buf, &epilogue);
	error_exit = emit_error_exit(&ctx->buf, epilogue);
	jit_emit_tail_entry(ctx);
	body = jit_buf_pos(&ctx->buf);
	emit_body(ctx);
	check_size(0, body, JIT_ENTRY_BYTES);
	for (uint32_t i = 0; i < ctx->stub_cnt; i++) {
		uint32_t start = jit_buf_pos(&ctx->buf);

		emit_stub(ctx, &ctx->stubs[i], error_exit);
		check_size(start, jit_buf_pos(&ctx->buf), JIT_MAX_STUB_BYTES);
	}
	*body_at = body;
	return patch_fixups(ctx);
}

/* The first pass with rel32 forward jumps, then, if jit_relax.c shortens
 * some, a second over it; what the second leaves of the first becomes
 * int3 again, as unused code memory is. */
static uint32_t emit_passes(struct jit_ctx *ctx)
{
	uint32_t body, first_end;

	mark_targets(ctx);
	emit_all(ctx, &body);
	if (!jit_relax(ctx))
		return body;
	first_end = jit_buf_pos(&ctx->buf);
	if (!emit_all(ctx, &body)) {
		for (uint32_t i = 0; i < ctx->prog->insn_cnt; i++)
			ctx->flags[i] &= (uint8_t)~JIT_SHORT_JUMP;
		emit_all(ctx, &body);
	}
	if (first_end > jit_buf_pos(&ctx->buf))
		memset(ctx->buf.p, 0xcc, first_end - jit_buf_pos(&ctx->buf));
	return body;
}

int jit_emit(const struct bpfvm_prog *prog, struct jit_buf *buf, struct jit_emitted *out)
{
	struct jit_ctx ctx;
	uint32_t body;

	if (alloc_ctx(&ctx, prog)) {
		vm_error("%s: out of memory compiling %u instructions", prog->name, prog->insn_cnt);
		return -ENOMEM;
	}
	ctx.buf = *buf;
	body = emit_passes(&ctx);
	*buf = ctx.buf;
	if (out) {
		*out = (struct jit_emitted){
			.body = body, .tail_entry = ctx.tail_entry, .insn_offsets = ctx.addrs,
			.pokes = ctx.pokes, .poke_cnt = ctx.poke_cnt,
		};
		ctx.addrs = NULL;
		ctx.pokes = NULL;
	}
	free_ctx(&ctx);
	return 0;
}

/* The code of `prog`, written through mem->rw to run at mem->rx. */
static int emit_into(struct bpfvm_prog *prog, struct jit_code *code)
{
	struct jit_mem *mem = &code->mem;
	struct jit_buf buf = {
		.start = mem->rw, .p = mem->rw, .end = mem->rw + mem->size,
		.run_delta = (intptr_t)(mem->rx - mem->rw),
	};
	struct jit_emitted out;
	int err = jit_emit(prog, &buf, &out);

	if (err)
		return err;
	code->code_size = jit_buf_pos(&buf);
	code->insn_offsets = out.insn_offsets;
	code->insn_cnt = prog->insn_cnt;
	code->pokes = out.pokes;
	code->poke_cnt = out.poke_cnt;
	code->enter = (uint64_t (*)(void *))(uintptr_t)mem->rx;
	code->body = mem->rx + out.body;
	code->tail_entry = mem->rx + out.tail_entry;
	return 0;
}

int jit_compile(struct bpfvm_prog *prog)
{
	size_t bound = jit_code_bound(prog);
	struct jit_code *code = calloc(1, sizeof(*code));
	int err;

	if (!code) {
		vm_error("%s: out of memory compiling %u instructions", prog->name, prog->insn_cnt);
		return -ENOMEM;
	}
	err = jit_mem_alloc(bound, &code->mem);
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", bpfvm_errmsg());
		free(code);
		vm_error("%s: %s", prog->name, why);
		return err;
	}
	err = emit_into(prog, code);
	if (!err)
		err = jit_poke_track(code);
	if (err) {
		jit_free(code);
		vm_error("%s: out of memory compiling %u instructions", prog->name, prog->insn_cnt);
		return err;
	}
	jit_mem_trim(&code->mem, code->code_size);
	prog->jit = code;
	prog->jit_body = code->body;
	return 0;
}

void jit_free(struct jit_code *code)
{
	if (!code)
		return;
	jit_poke_untrack(code);
	jit_mem_free(&code->mem);
	free(code->insn_offsets);
	free(code->pokes);
	free(code);
}
