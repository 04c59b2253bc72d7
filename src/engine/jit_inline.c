/* Helpers compiled inline, as the kernel's verifier inlines them for its JIT
 * (do_misc_fixups, map_gen_lookup). Only a built-in helper is replaced: one
 * that the embedder registered under the same id is called.
 *
 * bpf_get_smp_processor_id: r0 = the run's vCPU (run_ctx.cpu, constant
 * along a chain, copied into the run state: one load), which is what the
 * helper returns; the kernel loads the per-CPU cpu_number.
 *
 * bpf_map_lookup_elem on an ARRAY or PERCPU_ARRAY whose map is known where
 * it is called (`r1 = map ll; ...; call bpf_map_lookup_elem` in one basic
 * block):
 *
 *     mov   eax, [rsi]            r0 = *(u32 *)key
 *     cmp   eax, max_entries
 *     jae   null
 *     imul  rax, rax, stride      (or shl)
 *   per-CPU arrays only, the slice of the run's vCPU:
 *     mov   r11d, [r12 + cpu]
 *     cmp   r11d, nr_cpus         (only if the map has fewer vCPUs than
 *     jae   null                   the runtime: it cannot fail otherwise)
 *     imul  r11, r11, cpu_stride  (or shl)
 *     add   rax, r11
 *   then:
 *     mov   r11, base
 *     add   rax, r11              r0 = &element
 *     jmp   done
 *   null:
 *     mov   eax, 0
 *   done:
 *
 * which is what the built-in helper computes (maps/array.c:
 * array_bpf_lookup, percpu_array_bpf_lookup_percpu), without its call.
 *
 * bpf_map_lookup_elem on a HASH, PERCPU_HASH, LRU_HASH or LRU_PERCPU_HASH
 * map known the same way: a direct call of the map's lookup, specialised
 * for its key size (maps/hash.c: hash_bpf_lookup_direct), as the kernel's
 * htab_map_gen_lookup calls __htab_map_lookup_elem; r1 and r2 are already
 * the map and the key, r3 becomes the run's vCPU:
 *
 *     mov   edx, [r12 + cpu]
 *     call  hash_bpf_lookup_key4      (the budget register kept around it)
 *
 * which skips the helper's dispatch (the ops table, the thread's run for
 * the vCPU), the generic jhash loop and a libc memcmp of the key.
 *
 * Any other map's lookup, and update, delete, push, pop and peek, on a map
 * known the same way: a direct call of the map's operation with the vCPU
 * where it takes one, as the kernel's do_misc_fixups calls map->ops. */
#include "core/runtime.h"
#include "engine/run_ctx.h"
#include "engine/jit_internal.h"
#include "helpers/helper_table.h"
#include "isa/isa.h"
#include "maps/array.h"
#include "maps/hash.h"
#include "maps/map.h"

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


/* Whether the call is to the built-in helper `id` (not an embedder's). */
static bool is_builtin_helper(const struct jit_ctx *ctx, int32_t id)
{
	const struct helper_entry *entry;

	if (jit_insn(ctx)->src_reg != 0 || jit_insn(ctx)->imm != id)
		return false;
	entry = helper_table_find(&ctx->prog->vm->helpers, id);
	return entry && entry->proto && entry->fn == jit_decoded(ctx)->helper;
}

/* reg = the run's vCPU (zero-extended), from the run state's copy. */
static void emit_load_cpu(struct jit_buf *buf, int reg)
{
	x86_load(buf, X86_32, reg, JIT_STATE_AT(cpu));
}

/* reg *= factor, which fits an imm32. */
static void emit_scale(struct jit_buf *buf, int reg, uint64_t factor)
{
	if ((factor & (factor - 1)) == 0)
		x86_shift_ri(buf, X86_SHL, true, reg, (uint8_t)__builtin_ctzll(factor));
	else
		x86_imul_ri(buf, true, reg, reg, (int32_t)factor);
}

/* jae to the null path; returns where its rel8 ends. */
static uint8_t *emit_jae_null(struct jit_buf *buf)
{
	x86_jcc_rel8(buf, X86_CC_AE, 0);
	return buf->p;
}

/* The vCPU test of a per-CPU lookup is left out when it cannot fail: a run
 * holds one of its runtime's vCPUs (engine/vcpu.c refuses any other), and a
 * map with at least as many has a slice for each. */
static void emit_array_lookup(struct jit_buf *buf, const struct array_inline *layout,
			      uint32_t vm_cpus)
{
	uint8_t *to_null[2] = { NULL, NULL }, *to_done;

	x86_load(buf, X86_32, X86_RAX, x86_at(X86_RSI, 0));
	x86_alu_ri(buf, X86_CMP, false, X86_RAX, (int32_t)layout->max_entries);
	to_null[0] = emit_jae_null(buf);
	emit_scale(buf, X86_RAX, layout->stride);
	if (layout->cpu_stride) {
		emit_load_cpu(buf, JIT_TMP2);
		if (layout->nr_cpus < vm_cpus) {
			x86_alu_ri(buf, X86_CMP, false, JIT_TMP2, (int32_t)layout->nr_cpus);
			to_null[1] = emit_jae_null(buf);
		}
		emit_scale(buf, JIT_TMP2, layout->cpu_stride);
		x86_alu_rr(buf, X86_ADD, true, X86_RAX, JIT_TMP2);
	}
	x86_mov_ri(buf, true, JIT_TMP2, (int64_t)(uintptr_t)layout->base);
	x86_alu_rr(buf, X86_ADD, true, X86_RAX, JIT_TMP2);
	x86_jmp_rel8(buf, 0);
	to_done = buf->p;
	for (int i = 0; i < 2; i++)
		if (to_null[i])
			to_null[i][-1] = (uint8_t)(buf->p - to_null[i]);
	x86_mov_ri(buf, false, X86_RAX, 0);
	to_done[-1] = (uint8_t)(buf->p - to_done);
}

/* A map operation called directly: r1..r5 are already its arguments, the
 * vCPU goes where the operation takes it (`cpu_reg`, or -1), and the
 * budget register is kept as around a helper call. */
static void emit_direct_call(struct jit_ctx *ctx, const void *fn, int cpu_reg)
{
	if (cpu_reg >= 0)
		emit_load_cpu(&ctx->buf, cpu_reg);
	jit_emit_c_call(ctx, fn);
}

static bool emit_inline_map_lookup(struct jit_ctx *ctx, const struct bpfvm_map *map)
{
	hash_bpf_lookup_fn *hash_lookup_fn = hash_bpf_lookup_direct(map);
	struct array_inline layout;

	if (hash_lookup_fn) {
		emit_direct_call(ctx, (const void *)hash_lookup_fn, X86_RDX);
		return true;
	}
	/* imul's immediate: nr_cpus copies of a large value may not fit (the
	 * 32-bit compares take max_entries and nr_cpus as they are) */
	if (array_inline_layout(map, &layout) && layout.stride <= INT32_MAX) {
		emit_array_lookup(&ctx->buf, &layout, ctx->prog->vm->nr_cpus);
		return true;
	}
	if (!map->ops->bpf_lookup)
		return false;
	emit_direct_call(ctx, (const void *)map->ops->bpf_lookup, X86_RDX);
	return true;
}

/* The map helpers whose operation the helper calls with the arguments it
 * was given (helpers/helpers_maps.c), plus the vCPU for some: with the map
 * known, the operation is called directly, as the kernel's do_misc_fixups
 * rewrites these calls to the map's ops when the map is known. A map
 * without the operation keeps the helper (its error). */
static bool emit_direct_map_op(struct jit_ctx *ctx, const struct bpfvm_map *map)
{
	const struct map_ops *ops = map->ops;

	if (is_builtin_helper(ctx, BPF_FUNC_map_update_elem) && ops->bpf_update)
		emit_direct_call(ctx, (const void *)ops->bpf_update, X86_R8);
	else if (is_builtin_helper(ctx, BPF_FUNC_map_delete_elem) && ops->bpf_delete)
		emit_direct_call(ctx, (const void *)ops->bpf_delete, X86_RDX);
	else if (is_builtin_helper(ctx, BPF_FUNC_map_push_elem) && ops->bpf_push)
		emit_direct_call(ctx, (const void *)ops->bpf_push, -1);
	else if (is_builtin_helper(ctx, BPF_FUNC_map_pop_elem) && ops->bpf_pop)
		emit_direct_call(ctx, (const void *)ops->bpf_pop, -1);
	else if (is_builtin_helper(ctx, BPF_FUNC_map_peek_elem) && ops->bpf_peek)
		emit_direct_call(ctx, (const void *)ops->bpf_peek, -1);
	else
		return false;
	return true;
}

bool jit_emit_inline_helper(struct jit_ctx *ctx)
{
	const struct bpfvm_map *map;

	if (is_builtin_helper(ctx, BPF_FUNC_get_smp_processor_id)) {
		emit_load_cpu(&ctx->buf, X86_RAX);
		return true;
	}
	map = known_map(ctx, 1);
	if (!map)
		return false;
	if (is_builtin_helper(ctx, BPF_FUNC_map_lookup_elem))
		return emit_inline_map_lookup(ctx, map);
	return emit_direct_map_op(ctx, map);
}
