/* Small random valid XDP programs for the soundness fuzzer (fuzz.h).
 *
 *     r6 = ctx, r7 = data, r8 = data_end, r9 = accumulator (scalar)
 *     block; block; ...     each safe on its own
 *     r0 = r9 & 3; exit     (an XDP action)
 *
 * Blocks: ALU on scalars, packet reads and writes after a data_end check,
 * stack slots, map lookups with a NULL check and in-bounds value accesses,
 * a masked variable offset into a map value or the packet, context fields,
 * helper calls with stack memory, a ring buffer record reserved and
 * submitted, a bounded loop, and a branch around any of them. Each is what
 * the kernel's verifier accepts; mutations (fuzz_mutate.c) then break them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define VALUE_SIZE_ARRAY 32
#define VALUE_SIZE_HASH 16

struct gen {
	struct fuzz_rng *rng;
	struct bpf_insn insns[512];
	size_t cnt;
};

static void emit(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->cnt < sizeof(g->insns) / sizeof(g->insns[0]))
		g->insns[g->cnt++] = (struct bpf_insn){ .code = code, .dst_reg = dst,
							.src_reg = src, .off = off, .imm = imm };
}

static void emit_map(struct gen *g, uint8_t dst, int32_t idx)
{
	emit(g, BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_IDX, 0, idx);
	emit(g, 0, 0, 0, 0, 0);
}

static void emit_call(struct gen *g, int32_t id)
{
	emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, id);
}

static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };

static uint8_t random_size(struct gen *g, unsigned *bytes, unsigned limit)
{
	unsigned i;

	do
		i = fuzz_below(g->rng, 4);
	while ((1u << i) > limit);
	*bytes = 1u << i;
	return sizes[i];
}

static void block_alu(struct gen *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_XOR,
				       BPF_LSH, BPF_RSH, BPF_ARSH, BPF_DIV, BPF_MOD, BPF_MOV };
	unsigned n = 1 + fuzz_below(g->rng, 3);

	for (unsigned i = 0; i < n; i++) {
		uint8_t op = ops[fuzz_below(g->rng, sizeof(ops))];
		uint8_t class = fuzz_below(g->rng, 2) ? BPF_ALU64 : BPF_ALU;
		int32_t imm = (int32_t)fuzz_below(g->rng, 64) - 8;

		if (op == BPF_DIV || op == BPF_MOD)
			imm = imm ? imm : 3;
		if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) /* the kernel refuses */
			imm &= class == BPF_ALU64 ? 63 : 31;	      /* larger constant shifts */
		if (fuzz_below(g->rng, 3) == 0)
			emit(g, class | op | BPF_X, 9, 0, 0, 0); /* r0: a scalar too */
		else
			emit(g, class | op | BPF_K, 9, 0, 0, imm);
	}
}

/* r2 = data + n; if r2 > data_end skip; then the guarded accesses. */
static size_t packet_check(struct gen *g, unsigned n)
{
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, (int32_t)n);
	emit(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0, 0); /* target patched by the caller */
	return g->cnt - 1;
}

static void patch_skip(struct gen *g, size_t jump)
{
	g->insns[jump].off = (int16_t)(g->cnt - jump - 1);
}

static void block_packet(struct gen *g)
{
	unsigned n = 1 + fuzz_below(g->rng, 64), bytes;
	uint8_t size = random_size(g, &bytes, n);
	int16_t off = (int16_t)fuzz_below(g->rng, n - bytes + 1);
	size_t jump = packet_check(g, n);

	if (fuzz_below(g->rng, 2)) {
		emit(g, BPF_LDX | BPF_MEM | size, 3, 7, off, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 3, 0, 0);
	} else {
		emit(g, BPF_STX | BPF_MEM | size, 7, 9, off, 0);
	}
	patch_skip(g, jump);
}

/* A variable offset under a mask, checked after it is added (adding a
 * variable to a packet pointer forgets the range the kernel had learned):
 * r3 = data + (r9 & mask); if r3 + 1 > data_end skip; read *r3. */
static void block_packet_var(struct gen *g)
{
	uint32_t mask = (1u << fuzz_below(g->rng, 7)) - 1;
	size_t jump;

	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, 9, 0, 0);
	emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, (int32_t)mask);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 3, 7, 0, 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 3, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, 1);
	emit(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0, 0);
	jump = g->cnt - 1;
	emit(g, BPF_LDX | BPF_MEM | BPF_B, 4, 3, 0, 0);
	emit(g, BPF_ALU64 | BPF_XOR | BPF_X, 9, 4, 0, 0);
	patch_skip(g, jump);
}

static void block_stack(struct gen *g)
{
	int16_t slot = (int16_t)(-8 * (int)(2 + fuzz_below(g->rng, 8))); /* r10-16 .. r10-72 */
	unsigned bytes;
	uint8_t size = random_size(g, &bytes, 8);

	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, slot, 0);
	/* the stack is always strictly aligned (the kernel's check_ptr_alignment) */
	emit(g, BPF_LDX | BPF_MEM | size, 3, 10,
	     (int16_t)(slot + (int16_t)(fuzz_below(g->rng, 8 / bytes) * bytes)), 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 3, 0, 0);
}

/* key on the stack at r10-4; lookup; if r0 == NULL skip the accesses. */
static size_t map_lookup(struct gen *g, int32_t map_idx)
{
	emit(g, BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, (int32_t)fuzz_below(g->rng, 6));
	emit_map(g, 1, map_idx);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0);
	return g->cnt - 1;
}

static void block_map_value(struct gen *g)
{
	int32_t map_idx = (int32_t)fuzz_below(g->rng, 2);
	unsigned value_size = map_idx ? VALUE_SIZE_HASH : VALUE_SIZE_ARRAY, bytes;
	size_t jump = map_lookup(g, map_idx);
	uint8_t size = random_size(g, &bytes, 8);

	emit(g, BPF_LDX | BPF_MEM | size, 3, 0,
	     (int16_t)fuzz_below(g->rng, value_size - bytes + 1), 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 3, 0, 0);
	size = random_size(g, &bytes, 8);
	if (fuzz_below(g->rng, 2) && bytes >= 4)
		emit(g, BPF_STX | BPF_ATOMIC | (bytes == 8 ? BPF_DW : BPF_W), 0, 9,
		     (int16_t)(fuzz_below(g->rng, (value_size - bytes) / bytes + 1) * bytes),
		     BPF_ADD);
	else
		emit(g, BPF_STX | BPF_MEM | size, 0, 9,
		     (int16_t)fuzz_below(g->rng, value_size - bytes + 1), 0);
	patch_skip(g, jump);
}

/* value + (r9 & 24), then 8 bytes: at most 24 + 8 = 32. */
static void block_map_value_var(struct gen *g)
{
	size_t jump = map_lookup(g, 0);

	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, 9, 0, 0);
	emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, VALUE_SIZE_ARRAY - 8);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 4, 0, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 4, 0, 0);
	patch_skip(g, jump);
}

static void block_ctx(struct gen *g)
{
	static const int16_t fields[] = { 12, 16 }; /* ingress_ifindex, rx_queue_index */

	emit(g, BPF_LDX | BPF_MEM | BPF_W, 3, 6, fields[fuzz_below(g->rng, 2)], 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 3, 0, 0);
}

/* bpf_map_update_elem(hash, key at r10-4, value at r10-24 (16 bytes), 0). */
static void block_helper(struct gen *g)
{
	if (fuzz_below(g->rng, 2)) {
		emit_call(g, BPF_FUNC_get_smp_processor_id);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 0, 0, 0);
		return;
	}
	emit(g, BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, (int32_t)fuzz_below(g->rng, 10));
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -24, 0);
	emit(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 0);
	emit_map(g, 1, 1);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -24);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	emit_call(g, BPF_FUNC_map_update_elem);
}

static void block_ringbuf(struct gen *g)
{
	size_t jump;

	emit_map(g, 1, 2);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 16);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
	emit_call(g, BPF_FUNC_ringbuf_reserve);
	emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0);
	jump = g->cnt - 1;
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 0, 9, (int16_t)(8 * fuzz_below(g->rng, 2)), 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, 0, 0, 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
	emit_call(g, BPF_FUNC_ringbuf_submit);
	patch_skip(g, jump);
}

/* r4 = 0; do { r9 += r4; r4 += 1; } while (r4 < n) */
static void block_loop(struct gen *g)
{
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 4, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 1);
	emit(g, BPF_JMP | BPF_JLT | BPF_K, 4, 0, -3, (int32_t)(1 + fuzz_below(g->rng, 8)));
}

typedef void (*block_fn)(struct gen *g);

static const block_fn blocks[] = {
	block_alu, block_packet, block_packet, block_packet_var, block_stack, block_map_value,
	block_map_value, block_map_value_var, block_ctx, block_helper, block_ringbuf, block_loop,
};

/* A block, sometimes behind a branch on the accumulator. */
static void block(struct gen *g)
{
	static const uint8_t conds[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JLT, BPF_JSGT, BPF_JSET };
	size_t jump = 0;
	bool branch = fuzz_below(g->rng, 4) == 0;

	if (branch) {
		emit(g, BPF_JMP | conds[fuzz_below(g->rng, sizeof(conds))] | BPF_K, 9, 0, 0,
		     (int32_t)fuzz_below(g->rng, 16));
		jump = g->cnt - 1;
	}
	blocks[fuzz_below(g->rng, sizeof(blocks) / sizeof(blocks[0]))](g);
	if (branch)
		patch_skip(g, jump);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0); /* r0 a scalar again */
}

void fuzz_generate(struct fuzz_rng *rng, struct bpfvm_map *maps[FUZZ_GEN_MAPS],
		   struct fuzz_prog *out)
{
	struct gen g = { .rng = rng };
	unsigned n = 2 + fuzz_below(rng, 6);

	emit(&g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	emit(&g, BPF_LDX | BPF_MEM | BPF_W, 7, 6, 0, 0); /* xdp_md.data */
	emit(&g, BPF_LDX | BPF_MEM | BPF_W, 8, 6, 4, 0); /* xdp_md.data_end */
	emit(&g, BPF_ALU64 | BPF_MOV | BPF_K, 9, 0, 0, (int32_t)fuzz_below(rng, 1000));
	emit(&g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	for (unsigned i = 0; i < n; i++)
		block(&g);
	emit(&g, BPF_ALU64 | BPF_MOV | BPF_X, 0, 9, 0, 0);
	emit(&g, BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, 3);
	emit(&g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	memset(out, 0, sizeof(*out));
	snprintf(out->source, sizeof(out->source), "generated");
	out->type = BPF_PROG_TYPE_XDP;
	out->insns = malloc(g.cnt * sizeof(*out->insns));
	if (out->insns)
		memcpy(out->insns, g.insns, g.cnt * sizeof(*out->insns));
	out->insn_cnt = out->insns ? g.cnt : 0;
	out->maps = maps;
	out->map_cnt = FUZZ_GEN_MAPS;
}

int fuzz_gen_maps(struct bpfvm *vm, struct bpfvm_map *maps[FUZZ_GEN_MAPS])
{
	int err = bpfvm_map_create(vm, BPF_MAP_TYPE_ARRAY, "gen_array", 4, VALUE_SIZE_ARRAY, 4,
				   NULL, &maps[0]);

	if (!err)
		err = bpfvm_map_create(vm, BPF_MAP_TYPE_HASH, "gen_hash", 4, VALUE_SIZE_HASH, 8,
				       NULL, &maps[1]);
	if (!err)
		err = bpfvm_map_create(vm, BPF_MAP_TYPE_RINGBUF, "gen_events", 0, 0, 4096, NULL,
				       &maps[2]);
	return err;
}
