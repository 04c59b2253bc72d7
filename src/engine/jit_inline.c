/* Helpers compiled inline, as the kernel's verifier inlines them for its JIT
 * (fixup_bpf_calls, map_gen_lookup): today bpf_map_lookup_elem on a
 * BPF_MAP_TYPE_ARRAY whose map is known where it is called. For
 * `r1 = map ll; ...; call bpf_map_lookup_elem` in one basic block:
 *
 *     mov   eax, [rsi]            r0 = *(u32 *)key
 *     cmp   eax, max_entries
 *     jae   null
 *     imul  rax, rax, stride      (or shl)
 *     add   rax, base             r0 = &element
 *     jmp   done
 *   null:
 *     mov   eax, 0
 *   done:
 *
 * which is what the built-in helper computes (maps/array.c:
 * array_bpf_lookup), without its call. Only the built-in helper is
 * replaced: one that the embedder registered under the same id is called. */
#include "core/runtime.h"
#include "engine/jit_internal.h"
#include "helpers/helper_table.h"
#include "isa/isa.h"
#include "maps/array.h"

/* How far back a register's value is looked for. */
#define KNOWN_MAP_WINDOW 16

/* Whether `insn` may change register `reg` (as the verifier sees it: a
 * call and a legacy packet load leave r1..r5 unknown). */
static bool insn_writes(const struct bpf_insn *insn, uint8_t reg)
{
	switch (isa_class(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LDX:
		return insn->dst_reg == reg;
	case BPF_LD:
		return isa_is_lddw(insn->code) ? insn->dst_reg == reg : reg <= 5;
	case BPF_STX:
		if (isa_mode(insn->code) != BPF_ATOMIC)
			return false;
		if (insn->imm == BPF_CMPXCHG)
			return reg == 0;
		return (insn->imm & BPF_FETCH) && insn->src_reg == reg;
	case BPF_JMP:
	case BPF_JMP32:
		return isa_op(insn->code) == BPF_CALL && reg <= 5;
	default: /* BPF_ST */
		return false;
	}
}

/* The map in register `reg` at the current instruction, when an lddw of
 * the same basic block put it there; NULL when that is not certain. */
static const struct bpfvm_map *known_map(const struct jit_ctx *ctx, uint8_t reg)
{
	const struct bpf_insn *insns = ctx->prog->insns;
	uint32_t idx = ctx->idx;

	for (int steps = 0; steps < KNOWN_MAP_WINDOW && idx > 0; steps++) {
		if (ctx->flags[idx] & JIT_JUMP_TARGET)
			return NULL; /* reached from elsewhere too */
		idx--;
		if (idx > 0 && isa_is_lddw(insns[idx - 1].code))
			idx--; /* the second slot of an lddw */
		if (!insn_writes(&insns[idx], reg))
			continue;
		if (isa_is_lddw(insns[idx].code) && insns[idx].src_reg == BPF_PSEUDO_MAP_IDX)
			return ctx->prog->maps[insns[idx].imm];
		return NULL;
	}
	return NULL;
}

static bool is_builtin_map_lookup(const struct jit_ctx *ctx)
{
	const struct helper_entry *entry;

	if (jit_insn(ctx)->src_reg != 0 || jit_insn(ctx)->imm != BPF_FUNC_map_lookup_elem)
		return false;
	entry = helper_table_find(&ctx->prog->vm->helpers, BPF_FUNC_map_lookup_elem);
	return entry && entry->proto && entry->fn == jit_decoded(ctx)->helper;
}

static void emit_array_lookup(struct jit_buf *buf, uint8_t *base, uint64_t stride,
			      uint32_t max_entries)
{
	uint8_t *to_null, *to_done;

	x86_load(buf, X86_32, X86_RAX, x86_at(X86_RSI, 0));
	x86_alu_ri(buf, X86_CMP, false, X86_RAX, (int32_t)max_entries);
	x86_jcc_rel8(buf, X86_CC_AE, 0);
	to_null = buf->p;
	if ((stride & (stride - 1)) == 0)
		x86_shift_ri(buf, X86_SHL, true, X86_RAX, (uint8_t)__builtin_ctzll(stride));
	else
		x86_imul_ri(buf, true, X86_RAX, X86_RAX, (int32_t)stride);
	x86_mov_ri(buf, true, JIT_TMP2, (int64_t)(uintptr_t)base);
	x86_alu_rr(buf, X86_ADD, true, X86_RAX, JIT_TMP2);
	x86_jmp_rel8(buf, 0);
	to_done = buf->p;
	to_null[-1] = (uint8_t)(buf->p - to_null);
	x86_mov_ri(buf, false, X86_RAX, 0);
	to_done[-1] = (uint8_t)(buf->p - to_done);
}

bool jit_emit_inline_helper(struct jit_ctx *ctx)
{
	const struct bpfvm_map *map;
	uint32_t max_entries;
	uint64_t stride;
	uint8_t *base;

	if (!is_builtin_map_lookup(ctx))
		return false;
	map = known_map(ctx, 1);
	if (!map || !array_inline_layout(map, &base, &stride, &max_entries) || stride > INT32_MAX)
		return false;
	emit_array_lookup(&ctx->buf, base, stride, max_entries);
	return true;
}
