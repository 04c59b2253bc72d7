/* Loads, stores, atomics and lddw. Accesses need no alignment on x86-64
 * (the interpreter's memcpy loads are the same moves); atomics are the
 * lock-prefixed forms, sequentially consistent as the interpreter's
 * __ATOMIC_SEQ_CST builtins. */
#include "engine/jit_internal.h"
#include "isa/isa.h"

static const enum x86_width widths[4] = { X86_8, X86_16, X86_32, X86_64 };

_Static_assert(INTERP_OP_LDX_DW - INTERP_OP_LDX_B == 3 && INTERP_OP_LDXS_W - INTERP_OP_LDXS_B == 2 &&
	       INTERP_OP_ST_DW - INTERP_OP_ST_B == 3 && INTERP_OP_STX_DW - INTERP_OP_STX_B == 3,
	       "load/store blocks in size order B, H, W, DW");

/* Position of an atomic inside one INTERP_ATOMIC_OPS block. */
enum atomic_index {
	ATOMIC_ADD, ATOMIC_AND, ATOMIC_OR, ATOMIC_XOR, FETCH_ADD, FETCH_AND, FETCH_OR,
	FETCH_XOR, ATOMIC_XCHG, ATOMIC_CMPXCHG,
};

_Static_assert(INTERP_OP_W_CMPXCHG - INTERP_OP_W_ATOMIC_ADD == ATOMIC_CMPXCHG, "atomic block layout");

static const enum x86_alu atomic_alu[4] = { X86_ADD, X86_AND, X86_OR, X86_XOR };

/* and / or / xor with fetch: a compare-and-exchange loop, as the kernel's
 * JIT does it. RAX (r0) is the comparand: saved in R10, and stood in for by
 * R10 where r0 is the source or the address. */
static void emit_fetch_logic(struct jit_buf *buf, enum x86_alu op, bool is64, int dst, int src,
			     int32_t off)
{
	enum x86_width width = is64 ? X86_64 : X86_32;
	int real_src = src == X86_RAX ? JIT_TMP : src;
	int real_dst = dst == X86_RAX ? JIT_TMP : dst;
	uint32_t loop;

	x86_mov_rr(buf, true, JIT_TMP, X86_RAX);
	loop = jit_buf_pos(buf);
	x86_load(buf, width, X86_RAX, x86_at(real_dst, off));
	x86_mov_rr(buf, is64, JIT_TMP2, X86_RAX);
	x86_alu_rr(buf, op, is64, JIT_TMP2, real_src);
	x86_lock_cmpxchg(buf, is64, x86_at(real_dst, off), JIT_TMP2);
	x86_jcc_rel8(buf, X86_CC_NE, (int8_t)(loop - (jit_buf_pos(buf) + 2)));
	x86_mov_rr(buf, is64, real_src, X86_RAX);
	x86_mov_rr(buf, true, X86_RAX, JIT_TMP);
}

static void emit_atomic(struct jit_ctx *ctx, enum atomic_index index, bool is64)
{
	struct jit_buf *buf = &ctx->buf;
	int dst = jit_dst(ctx), src = jit_src(ctx);
	struct x86_mem mem = x86_at(dst, jit_insn(ctx)->off);

	switch (index) {
	case ATOMIC_ADD: case ATOMIC_AND: case ATOMIC_OR: case ATOMIC_XOR:
		x86_lock_alu_mr(buf, atomic_alu[index], is64, mem, src);
		break;
	case FETCH_ADD:
		x86_lock_xadd(buf, is64, mem, src);
		break;
	case FETCH_AND: case FETCH_OR: case FETCH_XOR:
		emit_fetch_logic(buf, atomic_alu[index - FETCH_ADD], is64, dst, src,
				 jit_insn(ctx)->off);
		break;
	case ATOMIC_XCHG:
		x86_xchg(buf, is64, mem, src);
		break;
	case ATOMIC_CMPXCHG:
		x86_lock_cmpxchg(buf, is64, mem, src);
		/* A 32-bit cmpxchg that succeeds leaves RAX's upper half:
		 * r0 is the old value, zero-extended. */
		if (!is64)
			x86_mov_rr(buf, false, X86_RAX, X86_RAX);
		break;
	}
}

/* lddw: the value interp_decode resolved (a map, a map value's address, a
 * constant), or for BPF_PSEUDO_FUNC the native address of the function,
 * which run_call_function hands back to jit_execute. */
static void emit_lddw(struct jit_ctx *ctx)
{
	const struct bpf_insn *insn = jit_insn(ctx);

	if (insn->src_reg == BPF_PSEUDO_FUNC)
		jit_rel32_to_insn(ctx, x86_lea_rip(&ctx->buf, jit_dst(ctx)),
				  (uint32_t)(ctx->idx + 1 + insn->imm));
	else
		x86_mov_ri(&ctx->buf, true, jit_dst(ctx), jit_decoded(ctx)->imm);
}

void jit_emit_memory(struct jit_ctx *ctx, enum interp_op op)
{
	struct jit_buf *buf = &ctx->buf;
	int dst = jit_dst(ctx), src = jit_src(ctx);
	int32_t off = jit_insn(ctx)->off;

	if (op >= INTERP_OP_LDX_B && op <= INTERP_OP_LDX_DW)
		x86_load(buf, widths[op - INTERP_OP_LDX_B], dst, x86_at(src, off));
	else if (op >= INTERP_OP_LDXS_B && op <= INTERP_OP_LDXS_W)
		x86_load_signed(buf, widths[op - INTERP_OP_LDXS_B], dst, x86_at(src, off));
	else if (op >= INTERP_OP_ST_B && op <= INTERP_OP_ST_DW)
		x86_store_imm(buf, widths[op - INTERP_OP_ST_B], x86_at(dst, off),
			      jit_insn(ctx)->imm);
	else if (op >= INTERP_OP_STX_B && op <= INTERP_OP_STX_DW)
		x86_store(buf, widths[op - INTERP_OP_STX_B], x86_at(dst, off), src);
	else if (op >= INTERP_OP_W_ATOMIC_ADD && op <= INTERP_OP_W_CMPXCHG)
		emit_atomic(ctx, (enum atomic_index)(op - INTERP_OP_W_ATOMIC_ADD), false);
	else if (op >= INTERP_OP_DW_ATOMIC_ADD && op <= INTERP_OP_DW_CMPXCHG)
		emit_atomic(ctx, (enum atomic_index)(op - INTERP_OP_DW_ATOMIC_ADD), true);
	else
		emit_lddw(ctx);
}
