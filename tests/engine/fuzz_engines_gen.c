/* Random valid programs for the differential fuzzer (fuzz_engines.h).
 *
 *     r6 = ctx, r7 = data, r8 = data_end, r9 = accumulator (scalar)
 *     block; block; ...     each safe on its own
 *     array[3].value[24] = r9; r0 = r9; exit
 *
 * As the verifier fuzzer's generator (tests/verifier/fuzz_gen.c), but over
 * every kind of map an engine may reach differently (per-CPU values, LRU
 * eviction, queues and stacks, ring buffers, prog arrays), with every atomic
 * operation, ALU operations on unknown operands in the registers x86 uses
 * implicitly (division by zero, shifts by a register), every jump condition,
 * local calls (a pointer into the caller's frame, a tail call from a
 * subprogram), bpf_loop callbacks, frames of many sizes, tail calls between
 * the targets, ld_abs/ld_ind (tc programs without local calls, as the kernel
 * requires), helpers that change the packet, and context writes. Helper
 * results, error codes included, go into the accumulator, which ends in r0
 * and in a map: both engines must agree on all of it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "fuzz_engines.h"
#include "isa/isa.h"

#define ARRAY_VALUE 32
#define HASH_VALUE 16
#define PROG_SLOTS 4
#define SUBPROGS 5

enum subprog_kind { SUB_STACK, SUB_TAIL, SUB_MAP, SUB_LOOP_CALLBACK, SUB_EACH_CALLBACK };

struct egen {
	struct fuzz_rng *rng;
	struct bpf_insn insns[1024];
	size_t cnt;
	enum bpf_prog_type type;
	bool ld_abs;	/* tc without local calls */
	bool calls;	/* local calls allowed */
	bool tail;	/* tail calls allowed */
	size_t call_sites[64];
	enum subprog_kind call_kinds[64];
	unsigned call_cnt;
};

static void emit(struct egen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->cnt < sizeof(g->insns) / sizeof(g->insns[0]))
		g->insns[g->cnt++] = (struct bpf_insn){ .code = code, .dst_reg = dst,
							.src_reg = src, .off = off, .imm = imm };
}

static uint32_t below(struct egen *g, uint32_t n)
{
	return fuzz_below(g->rng, n);
}

static void emit_map(struct egen *g, uint8_t dst, enum egen_map map)
{
	emit(g, BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_IDX, 0, (int32_t)map);
	emit(g, 0, 0, 0, 0, 0);
}

static void emit_call(struct egen *g, int32_t id)
{
	emit(g, BPF_JMP | BPF_CALL, 0, 0, 0, id);
}

static void mov_reg(struct egen *g, uint8_t dst, uint8_t src)
{
	emit(g, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static void add_imm(struct egen *g, uint8_t dst, int32_t imm)
{
	emit(g, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}

static void accumulate(struct egen *g, uint8_t reg)
{
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, reg, 0, 0);
}

static size_t jump_here(struct egen *g, uint8_t code, uint8_t dst, uint8_t src, int32_t imm)
{
	emit(g, code, dst, src, 0, imm);
	return g->cnt - 1;
}

static void patch_skip(struct egen *g, size_t jump)
{
	g->insns[jump].off = (int16_t)(g->cnt - jump - 1);
}

static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };

/* A size of at most `limit` bytes; *bytes receives it. */
static uint8_t random_size(struct egen *g, unsigned *bytes, unsigned limit)
{
	unsigned i;

	do
		i = below(g, 4);
	while ((1u << i) > limit);
	*bytes = 1u << i;
	return sizes[i];
}

static int32_t random_imm(struct egen *g)
{
	static const int32_t edges[] = { 0, 1, -1, 2, 7, 31, 32, 63, INT32_MIN, INT32_MAX };

	return below(g, 2) ? edges[below(g, 10)] : (int32_t)fuzz_next(g->rng);
}

/* ---- scalars ----------------------------------------------------------- */

/* Operations among r0, r3, r4, r5 and the accumulator, unknown values all
 * (x86 uses RAX, RDX and RCX, which are r0, r3 and r4, for division and
 * shifts by a register): division by zero, signed division of INT_MIN by
 * -1, shifts by a register, byte swaps, sign extensions. */
static void block_alu(struct egen *g)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR,
				       BPF_AND, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_XOR, BPF_MOV };
	static const uint8_t regs[] = { 0, 3, 4, 5, 9 };
	static const int32_t widths[] = { 16, 32, 64 };
	static const int16_t sx[] = { 8, 16, 32 };
	unsigned n = 1 + below(g, 6);

	mov_reg(g, 3, 9);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, random_imm(g));
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, random_imm(g));
	emit(g, BPF_ALU64 | BPF_XOR | BPF_X, 5, 9, 0, 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t op = ops[below(g, sizeof(ops))];
		uint8_t class = below(g, 2) ? BPF_ALU64 : BPF_ALU;
		int16_t off = (op == BPF_DIV || op == BPF_MOD) ? (int16_t)below(g, 2) : 0;
		int32_t imm = random_imm(g);
		uint8_t dst = regs[below(g, 5)], src = regs[below(g, 5)];

		if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
			imm &= class == BPF_ALU64 ? 63 : 31;
		if ((op == BPF_DIV || op == BPF_MOD) && imm == 0)
			imm = 3; /* the kernel refuses a constant divisor 0 */
		switch (below(g, 8)) {
		case 0: /* to big endian, and bswap */
			emit(g, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, widths[below(g, 3)]);
			break;
		case 1: emit(g, BPF_ALU64 | BPF_END, dst, 0, 0, widths[below(g, 3)]); break;
		case 2: emit(g, (below(g, 2) ? BPF_ALU64 : BPF_ALU) | BPF_NEG, dst, 0, 0, 0); break;
		case 3: /* movsx: 8 and 16 bits in both widths, 32 in 64 */
			emit(g, class | BPF_MOV | BPF_X, dst, src,
			     sx[below(g, 2 + (class == BPF_ALU64))], 0);
			break;
		case 4: case 5: emit(g, class | op | BPF_X, dst, src, off, 0); break;
		default: emit(g, class | op | BPF_K, dst, 0, off, imm); break;
		}
	}
	emit(g, BPF_ALU64 | BPF_XOR | BPF_X, 9, 3, 0, 0);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 9, 4, 0, 0);
	emit(g, BPF_ALU64 | BPF_SUB | BPF_X, 9, 5, 0, 0);
	accumulate(g, 0);
}

/* Every atomic operation on the memory at r_base + off (8 or 4 bytes),
 * with r3 as the operand; fetched values and r0 of cmpxchg accumulated. */
static void emit_atomic(struct egen *g, uint8_t base, int16_t off, bool dw)
{
	static const int32_t ops[] = { BPF_ADD, BPF_AND, BPF_OR, BPF_XOR, BPF_ADD | BPF_FETCH,
				       BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH,
				       BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG };
	int32_t op = ops[below(g, 10)];

	mov_reg(g, 3, 9);
	if (op == BPF_CMPXCHG) {
		/* r0: the expected value, sometimes what is there */
		emit(g, BPF_LDX | BPF_MEM | (dw ? BPF_DW : BPF_W), 0, base, off, 0);
		if (below(g, 3) == 0)
			add_imm(g, 0, 1);
		if (!dw && below(g, 2)) { /* the upper half, which a 32-bit cmpxchg ignores */
			mov_reg(g, 4, 9);
			emit(g, BPF_ALU64 | BPF_LSH | BPF_K, 4, 0, 0, 32);
			emit(g, BPF_ALU64 | BPF_OR | BPF_X, 0, 4, 0, 0);
		}
	}
	emit(g, BPF_STX | BPF_ATOMIC | (dw ? BPF_DW : BPF_W), base, 3, off, op);
	if (op == BPF_CMPXCHG)
		accumulate(g, 0);
	else if (op & BPF_FETCH)
		accumulate(g, 3);
}

static void block_stack(struct egen *g)
{
	int16_t slot = (int16_t)(-8 * (int)(2 + below(g, 8))); /* r10-16 .. r10-72 */
	unsigned bytes;
	uint8_t size = random_size(g, &bytes, 8);

	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, slot, 0);
	if (below(g, 3) == 0) {
		emit_atomic(g, 10, slot, below(g, 2));
		return;
	}
	if (size != BPF_DW && below(g, 2))
		emit(g, BPF_LDX | BPF_MEMSX | size, 3, 10,
		     (int16_t)(slot + (int16_t)(below(g, 8 / bytes) * bytes)), 0);
	else
		emit(g, BPF_LDX | BPF_MEM | size, 3, 10,
		     (int16_t)(slot + (int16_t)(below(g, 8 / bytes) * bytes)), 0);
	accumulate(g, 3);
}

/* A slot deep in the frame (r10-80 .. r10-240): frames of many sizes, which
 * local calls and tail calls from subprograms move r10 by. */
static void block_deep_stack(struct egen *g)
{
	int16_t slot = (int16_t)(-8 * (int)(10 + below(g, 21)));

	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, slot, 0);
	if (below(g, 2))
		emit_atomic(g, 10, slot, true);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 10, slot, 0);
	emit(g, BPF_ALU64 | BPF_MUL | BPF_K, 3, 0, 0, 31);
	accumulate(g, 3);
}

/* r4 = 0; do { r9 += r4; r9 ^= r9 << 3; r4 += 1; } while (r4 < n) */
static void block_loop(struct egen *g)
{
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	accumulate(g, 4);
	emit(g, BPF_ALU64 | BPF_MUL | BPF_K, 9, 0, 0, 3);
	add_imm(g, 4, 1);
	emit(g, BPF_JMP | BPF_JLT | BPF_K, 4, 0, -4, (int32_t)(1 + below(g, 12)));
}

/* ---- the packet and the context --------------------------------------- */

static void reload_packet(struct egen *g)
{
	bool xdp = g->type == BPF_PROG_TYPE_XDP;

	emit(g, BPF_LDX | BPF_MEM | BPF_W, 7, 6,
	     xdp ? offsetof(struct xdp_md, data) : offsetof(struct __sk_buff, data), 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_W, 8, 6,
	     xdp ? offsetof(struct xdp_md, data_end) : offsetof(struct __sk_buff, data_end), 0);
}

static void block_packet(struct egen *g)
{
	unsigned n = 1 + below(g, 64), bytes;
	uint8_t size = random_size(g, &bytes, n);
	int16_t off = (int16_t)below(g, n - bytes + 1);
	size_t jump;

	mov_reg(g, 2, 7);
	add_imm(g, 2, (int32_t)n);
	jump = jump_here(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
	switch (below(g, 3)) {
	case 0:
		emit(g, BPF_LDX | BPF_MEM | size, 3, 7, off, 0);
		accumulate(g, 3);
		break;
	case 1:
		emit(g, BPF_STX | BPF_MEM | size, 7, 9, off, 0);
		break;
	default:
		emit(g, BPF_ST | BPF_MEM | size, 7, 0, off, random_imm(g));
		break;
	}
	patch_skip(g, jump);
}

/* r3 = data + (r9 & mask); if r3 + 1 > data_end skip; r9 ^= *r3 */
static void block_packet_var(struct egen *g)
{
	uint32_t mask = (1u << below(g, 8)) - 1;
	size_t jump;

	mov_reg(g, 3, 9);
	emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, (int32_t)mask);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 3, 7, 0, 0);
	mov_reg(g, 2, 3);
	add_imm(g, 2, 1);
	jump = jump_here(g, BPF_JMP | BPF_JGT | BPF_X, 2, 8, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_B, 4, 3, 0, 0);
	emit(g, BPF_ALU64 | BPF_XOR | BPF_X, 9, 4, 0, 0);
	patch_skip(g, jump);
}

static void block_ctx(struct egen *g)
{
	static const int16_t xdp_fields[] = { offsetof(struct xdp_md, ingress_ifindex),
					      offsetof(struct xdp_md, rx_queue_index) };
	static const int16_t skb_reads[] = {
		offsetof(struct __sk_buff, len), offsetof(struct __sk_buff, mark),
		offsetof(struct __sk_buff, priority), offsetof(struct __sk_buff, protocol),
		offsetof(struct __sk_buff, cb[0]), offsetof(struct __sk_buff, cb[4]),
		offsetof(struct __sk_buff, ifindex), offsetof(struct __sk_buff, tc_index),
	};
	static const int16_t skb_writes[] = {
		offsetof(struct __sk_buff, mark), offsetof(struct __sk_buff, priority),
		offsetof(struct __sk_buff, cb[0]), offsetof(struct __sk_buff, cb[2]),
		offsetof(struct __sk_buff, cb[4]), offsetof(struct __sk_buff, tc_index),
	};

	if (g->type == BPF_PROG_TYPE_XDP) {
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 3, 6, xdp_fields[below(g, 2)], 0);
	} else if (below(g, 2)) {
		emit(g, BPF_STX | BPF_MEM | BPF_W, 6, 9, skb_writes[below(g, 6)], 0);
		return;
	} else {
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 3, 6, skb_reads[below(g, 8)], 0);
	}
	accumulate(g, 3);
}

/* bpf_xdp_adjust_head/tail, bpf_skb_store_bytes/load_bytes: the result
 * accumulated, and the packet pointers loaded again (the helpers that
 * change the packet invalidate them). */
static void block_packet_helper(struct egen *g)
{
	int32_t delta = (int32_t)below(g, 80) - 40;

	mov_reg(g, 1, 6);
	if (g->type == BPF_PROG_TYPE_XDP) {
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, delta);
		emit_call(g, below(g, 2) ? BPF_FUNC_xdp_adjust_head : BPF_FUNC_xdp_adjust_tail);
	} else {
		bool store = below(g, 2);

		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -16, 0);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, (int32_t)below(g, 64));
		mov_reg(g, 3, 10);
		add_imm(g, 3, -16);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, (int32_t)(1 + below(g, 8)));
		if (store)
			emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, 0);
		emit_call(g, store ? BPF_FUNC_skb_store_bytes : BPF_FUNC_skb_load_bytes);
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 10, -16, 0);
		accumulate(g, 3);
	}
	accumulate(g, 0);
	reload_packet(g);
}

/* r0 = *(size *)skb[K] or skb[r3 + K] (r3 = r9 & 63), past the end
 * sometimes: then the program returns 0 there. */
static void block_ld_abs(struct egen *g)
{
	unsigned bytes;
	uint8_t size = random_size(g, &bytes, 4);
	int32_t k = (int32_t)below(g, below(g, 4) ? 64 : 400);

	if (below(g, 2)) {
		emit(g, BPF_LD | BPF_ABS | size, 0, 0, 0, k);
	} else {
		mov_reg(g, 3, 9);
		emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 63);
		emit(g, BPF_LD | BPF_IND | size, 0, 3, 0, k);
	}
	accumulate(g, 0);
}

/* ---- maps -------------------------------------------------------------- */

static const enum egen_map value_maps[] = { EGEN_ARRAY, EGEN_HASH, EGEN_PERCPU_ARRAY,
					    EGEN_PERCPU_HASH, EGEN_LRU_HASH,
					    EGEN_LRU_PERCPU_HASH };

static unsigned value_size(enum egen_map map)
{
	return map == EGEN_ARRAY ? ARRAY_VALUE : HASH_VALUE;
}

/* The key (r9 & 7, or a constant) at r10-4, r2 pointing to it. */
static void key_on_stack(struct egen *g)
{
	if (below(g, 2)) {
		emit(g, BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, (int32_t)below(g, 6));
	} else {
		mov_reg(g, 3, 9);
		emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 7);
		emit(g, BPF_STX | BPF_MEM | BPF_W, 10, 3, -4, 0);
	}
	mov_reg(g, 2, 10);
	add_imm(g, 2, -4);
}

/* lookup; if r0 == NULL skip: loads, stores and atomics in the value. */
static void block_map_value(struct egen *g)
{
	enum egen_map map = value_maps[below(g, sizeof(value_maps) / sizeof(value_maps[0]))];
	unsigned size_of_value = value_size(map), bytes;
	uint8_t size;
	size_t jump;

	key_on_stack(g);
	emit_map(g, 1, map);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	jump = jump_here(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	for (unsigned i = 0, n = 1 + below(g, 3); i < n; i++) {
		size = random_size(g, &bytes, 8);
		switch (below(g, 4)) {
		case 0:
			emit(g, BPF_LDX | BPF_MEM | size, 3, 0,
			     (int16_t)(below(g, size_of_value / bytes) * bytes), 0);
			accumulate(g, 3);
			break;
		case 1:
			emit(g, BPF_STX | BPF_MEM | size, 0, 9,
			     (int16_t)(below(g, size_of_value / bytes) * bytes), 0);
			break;
		default: {
			bool dw = below(g, 2);

			mov_reg(g, 5, 0); /* cmpxchg takes r0 */
			emit_atomic(g, 5, (int16_t)(below(g, size_of_value / (dw ? 8 : 4)) *
						    (dw ? 8 : 4)), dw);
			mov_reg(g, 0, 5);
			break;
		}
		}
	}
	patch_skip(g, jump);
}

/* value + (r9 & 24), then 8 bytes: at most 24 + 8 = 32. */
static void block_map_value_var(struct egen *g)
{
	size_t jump;

	key_on_stack(g);
	emit_map(g, 1, EGEN_ARRAY);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	jump = jump_here(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	mov_reg(g, 3, 9);
	emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, ARRAY_VALUE - 8);
	emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 4, 0, 0, 0);
	accumulate(g, 4);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 0, 9, 0, 0);
	patch_skip(g, jump);
}

/* update (value r9, -r9 at r10-24; flags ANY, NOEXIST or EXIST) or delete;
 * the error code accumulated. */
static void block_map_update(struct egen *g)
{
	enum egen_map map = value_maps[below(g, sizeof(value_maps) / sizeof(value_maps[0]))];

	key_on_stack(g);
	if (below(g, 4) == 0 && map != EGEN_ARRAY && map != EGEN_PERCPU_ARRAY) {
		emit_map(g, 1, map);
		emit_call(g, BPF_FUNC_map_delete_elem);
		accumulate(g, 0);
		return;
	}
	/* the value: r10-8-size .. r10-8, r9 in each word but the last */
	for (int off = -8 - (int)value_size(map); off < -16; off += 8)
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, (int16_t)off, 0);
	emit(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, (int32_t)fuzz_next(g->rng));
	emit_map(g, 1, map);
	mov_reg(g, 3, 10);
	add_imm(g, 3, -8 - (int32_t)value_size(map));
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, (int32_t)below(g, 3)); /* ANY..EXIST */
	emit_call(g, BPF_FUNC_map_update_elem);
	accumulate(g, 0);
}

/* push (flags 0 or BPF_EXIST: overwrite the oldest), pop or peek into
 * r10-16; the error and the value accumulated. */
static void block_queue(struct egen *g)
{
	enum egen_map map = below(g, 2) ? EGEN_QUEUE : EGEN_STACK;
	uint32_t which = below(g, 3);

	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -16, 0);
	emit_map(g, 1, map);
	mov_reg(g, 2, 10);
	add_imm(g, 2, -16);
	if (which == 0) {
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, below(g, 2) ? BPF_EXIST : 0);
		emit_call(g, BPF_FUNC_map_push_elem);
	} else {
		emit_call(g, which == 1 ? BPF_FUNC_map_pop_elem : BPF_FUNC_map_peek_elem);
	}
	accumulate(g, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 10, -16, 0);
	accumulate(g, 3);
}

static void block_ringbuf(struct egen *g)
{
	size_t jump;

	if (below(g, 3) == 0) { /* bpf_ringbuf_output of 8 or 16 bytes */
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -16, 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -8, 0);
		emit_map(g, 1, EGEN_RINGBUF);
		mov_reg(g, 2, 10);
		add_imm(g, 2, -16);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, below(g, 2) ? 8 : 16);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
		emit_call(g, BPF_FUNC_ringbuf_output);
		accumulate(g, 0);
		return;
	}
	emit_map(g, 1, EGEN_RINGBUF);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8 * (int32_t)(1 + below(g, 64)));
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0);
	emit_call(g, BPF_FUNC_ringbuf_reserve);
	jump = jump_here(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 0, 9, 0, 0);
	mov_reg(g, 1, 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
	emit_call(g, below(g, 3) ? BPF_FUNC_ringbuf_submit : BPF_FUNC_ringbuf_discard);
	patch_skip(g, jump);
}

static void block_helper(struct egen *g)
{
	static const int32_t ids[] = { BPF_FUNC_get_smp_processor_id, BPF_FUNC_get_prandom_u32,
				       BPF_FUNC_ktime_get_ns };

	emit_call(g, ids[below(g, 3)]);
	accumulate(g, 0);
}

/* ---- calls ------------------------------------------------------------- */

static void tail_call(struct egen *g)
{
	mov_reg(g, 1, 6);
	if (below(g, 4) == 0) { /* the key first: the fused form takes either order */
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (int32_t)below(g, PROG_SLOTS + 1));
		emit_map(g, 2, EGEN_PROG_ARRAY);
	} else if (below(g, 2)) {
		emit_map(g, 2, EGEN_PROG_ARRAY);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (int32_t)below(g, PROG_SLOTS + 1));
	} else {
		emit_map(g, 2, EGEN_PROG_ARRAY);
		mov_reg(g, 3, 9);
		emit(g, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 7); /* empty slots, out of range */
	}
	emit_call(g, BPF_FUNC_tail_call);
}

static void block_tail_call(struct egen *g)
{
	if (g->tail)
		tail_call(g);
	else
		block_alu(g);
}

/* A local call, or the lddw of a callback; the target is patched once the
 * subprograms are emitted. */
static void refer_subprog(struct egen *g, enum subprog_kind kind)
{
	if (g->call_cnt == sizeof(g->call_sites) / sizeof(g->call_sites[0]))
		return;
	g->call_kinds[g->call_cnt] = kind;
	g->call_sites[g->call_cnt++] = g->cnt;
	if (kind == SUB_LOOP_CALLBACK || kind == SUB_EACH_CALLBACK) {
		emit(g, BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 0);
		emit(g, 0, 0, 0, 0, 0);
	} else {
		emit(g, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
	}
}

/* helper(r1, callback, &slot, 0), r1 set by the caller: the callback folds
 * what it is given into our slot (r10-8, holding r9), and stops early. */
static void call_with_callback(struct egen *g, enum subprog_kind kind, int32_t helper)
{
	refer_subprog(g, kind);
	mov_reg(g, 3, 10);
	add_imm(g, 3, -8);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0);
	emit_call(g, helper);
	accumulate(g, 0);
	emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 10, -8, 0);
	emit(g, BPF_ALU64 | BPF_XOR | BPF_X, 9, 3, 0, 0);
}

/* bpf_for_each_map_elem over a map of values: in the map's order (the hash
 * maps have a zero seed); the callback writes each value. */
static void for_each_map_elem(struct egen *g)
{
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -8, 0);
	emit_map(g, 1, value_maps[below(g, sizeof(value_maps) / sizeof(value_maps[0]))]);
	call_with_callback(g, SUB_EACH_CALLBACK, BPF_FUNC_for_each_map_elem);
}

/* bpf_loop of 0 to 11 rounds. */
static void bpf_loop(struct egen *g)
{
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -8, 0);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, (int32_t)below(g, 12));
	call_with_callback(g, SUB_LOOP_CALLBACK, BPF_FUNC_loop);
}

static void block_local_call(struct egen *g)
{
	enum subprog_kind kind = (enum subprog_kind)below(g, SUBPROGS);

	if (!g->calls) {
		block_stack(g);
		return;
	}
	if (kind == SUB_TAIL && !g->tail)
		kind = SUB_STACK;
	switch (kind) {
	case SUB_LOOP_CALLBACK:
		bpf_loop(g);
		break;
	case SUB_EACH_CALLBACK:
		for_each_map_elem(g);
		break;
	case SUB_STACK: /* f(r9, &slot): the callee reads and writes our frame */
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 9, -8, 0);
		mov_reg(g, 1, 9);
		mov_reg(g, 2, 10);
		add_imm(g, 2, -8);
		refer_subprog(g, kind);
		accumulate(g, 0);
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 10, -8, 0);
		emit(g, BPF_ALU64 | BPF_XOR | BPF_X, 9, 3, 0, 0);
		break;
	case SUB_TAIL: /* f(ctx): a tail call from a subprogram */
		mov_reg(g, 1, 6);
		refer_subprog(g, kind);
		accumulate(g, 0);
		reload_packet(g); /* a tail call may have changed the packet */
		break;
	default: /* f(r9): a map update in the callee */
		mov_reg(g, 1, 9);
		refer_subprog(g, kind);
		accumulate(g, 0);
		break;
	}
}

static void emit_subprog(struct egen *g, enum subprog_kind kind)
{
	size_t jump;

	switch (kind) {
	case SUB_STACK:
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 2, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 3, 1, 0, 0);
		emit(g, BPF_ALU64 | BPF_MUL | BPF_K, 3, 0, 0, 0x9e3779b1);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 10, 3, -8, 0);
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 4, 10, -4, 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 2, 3, 0, 0);
		mov_reg(g, 0, 4);
		break;
	case SUB_TAIL:
		mov_reg(g, 6, 1);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 9, 0, 0, 0);
		tail_call(g);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0x51);
		break;
	case SUB_EACH_CALLBACK: /* (map, key, value, &slot): r0 1 stops at a key */
		emit(g, BPF_LDX | BPF_MEM | BPF_W, 1, 2, 0, 0);
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 5, 4, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 5, 1, 0, 0);
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 0, 3, 0, 0);
		emit(g, BPF_ALU64 | BPF_MUL | BPF_K, 5, 0, 0, 31);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 5, 0, 0, 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 4, 5, 0, 0);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 3, 5, 8, 0);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		emit(g, BPF_JMP | BPF_JNE | BPF_K, 1, 0, 1, (int32_t)below(g, 8));
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
		break;
	case SUB_LOOP_CALLBACK: /* (index, &slot): r0 1 stops the loop */
		emit(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 2, 0, 0);
		emit(g, BPF_ALU64 | BPF_ADD | BPF_X, 3, 1, 0, 0);
		emit(g, BPF_ALU64 | BPF_MUL | BPF_K, 3, 0, 0, 7);
		emit(g, BPF_STX | BPF_MEM | BPF_DW, 2, 3, 0, 0);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		emit(g, BPF_JMP | BPF_JNE | BPF_K, 1, 0, 1, (int32_t)below(g, 16));
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
		break;
	default:
		emit(g, BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 0);
		emit(g, BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, 3);
		emit(g, BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 0);
		emit_map(g, 1, EGEN_ARRAY);
		mov_reg(g, 2, 10);
		add_imm(g, 2, -4);
		emit_call(g, BPF_FUNC_map_lookup_elem);
		jump = jump_here(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 5);
		emit(g, BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 8, BPF_ADD | BPF_FETCH);
		mov_reg(g, 0, 1);
		patch_skip(g, jump);
		break;
	}
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* The subprograms after the main one, each once, and the calls patched. */
static void emit_subprogs(struct egen *g)
{
	size_t start[SUBPROGS] = { 0 };

	for (unsigned i = 0; i < g->call_cnt; i++) {
		enum subprog_kind kind = g->call_kinds[i];

		if (!start[kind]) {
			start[kind] = g->cnt;
			emit_subprog(g, kind);
		}
		g->insns[g->call_sites[i]].imm = (int32_t)(start[kind] - g->call_sites[i] - 1);
	}
}

/* ---- programs ---------------------------------------------------------- */

typedef void (*block_fn)(struct egen *g);

static const block_fn blocks[] = {
	block_alu,	  block_alu,	    block_stack,	 block_deep_stack,
	block_loop,	  block_packet,	    block_packet,	 block_packet_var,
	block_ctx,	  block_map_value,  block_map_value,	 block_map_value_var,
	block_map_update, block_map_update, block_queue,	 block_ringbuf,
	block_helper,	  block_tail_call,  block_local_call,	 block_local_call,
	block_packet_helper, block_ld_abs,  block_ld_abs,
};

static void block(struct egen *g)
{
	static const uint8_t conds[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
					 BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET };
	size_t n = sizeof(blocks) / sizeof(blocks[0]), jump = 0;
	bool branch = below(g, 4) == 0;
	block_fn fn = blocks[below(g, (uint32_t)n)];
	uint8_t cond = (below(g, 2) ? BPF_JMP : BPF_JMP32) | conds[below(g, sizeof(conds))];

	if (fn == block_ld_abs && !g->ld_abs)
		fn = block_packet;
	if (branch && below(g, 2)) {
		jump = jump_here(g, cond | BPF_K, 9, 0, below(g, 2) ? (int32_t)below(g, 16)
								 : random_imm(g));
	} else if (branch) {
		emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, random_imm(g));
		jump = jump_here(g, cond | BPF_X, 9, 3, 0);
	}
	fn(g);
	if (branch)
		patch_skip(g, jump);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0); /* r0 a scalar again */
}

/* array[3].value[24] = r9 (all 64 bits: test runs return 32); r0 = r9. */
static void epilogue(struct egen *g)
{
	size_t jump;

	emit(g, BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 3);
	emit_map(g, 1, EGEN_ARRAY);
	mov_reg(g, 2, 10);
	add_imm(g, 2, -4);
	emit_call(g, BPF_FUNC_map_lookup_elem);
	jump = jump_here(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	emit(g, BPF_STX | BPF_MEM | BPF_DW, 0, 9, 24, 0);
	patch_skip(g, jump);
	mov_reg(g, 0, 9);
	emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static void finish(struct egen *g, struct bpfvm_map *maps[EGEN_MAPS], const char *source,
		   struct fuzz_prog *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->source, sizeof(out->source), "%s", source);
	out->type = g->type;
	out->insns = malloc(g->cnt * sizeof(*out->insns));
	if (out->insns)
		memcpy(out->insns, g->insns, g->cnt * sizeof(*out->insns));
	out->insn_cnt = out->insns ? g->cnt : 0;
	out->maps = maps;
	out->map_cnt = EGEN_MAPS;
}

static void generate_one(struct fuzz_rng *rng, enum bpf_prog_type type, unsigned blocks_max,
			 struct bpfvm_map *maps[EGEN_MAPS], const char *source,
			 struct fuzz_prog *out)
{
	struct egen *g = calloc(1, sizeof(*g));
	unsigned n;

	if (!g) {
		memset(out, 0, sizeof(*out));
		return;
	}
	g->rng = rng;
	g->type = type;
	g->tail = true;
	g->ld_abs = type == BPF_PROG_TYPE_SCHED_CLS && below(g, 2);
	g->calls = !g->ld_abs; /* the kernel refuses ld_abs next to local calls */
	n = 2 + below(g, blocks_max);
	mov_reg(g, 6, 1);
	reload_packet(g);
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 9, 0, 0, (int32_t)below(g, 1000));
	emit(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	for (unsigned i = 0; i < n; i++)
		block(g);
	epilogue(g);
	emit_subprogs(g);
	finish(g, maps, source, out);
	free(g);
}

void egen_generate(struct fuzz_rng *rng, struct bpfvm_map *maps[EGEN_MAPS],
		   struct egen_set *set)
{
	memset(set, 0, sizeof(*set));
	set->type = fuzz_below(rng, 2) ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
	generate_one(rng, set->type, 14, maps, "engines-generated", &set->main);
	set->target_cnt = fuzz_below(rng, EGEN_TARGETS_MAX + 1);
	for (uint32_t i = 0; i < set->target_cnt; i++) {
		char name[32];

		snprintf(name, sizeof(name), "engines-target-%u", i);
		generate_one(rng, set->type, 5, maps, name, &set->targets[i]);
	}
}

void egen_release(struct egen_set *set)
{
	fuzz_prog_release(&set->main);
	for (uint32_t i = 0; i < set->target_cnt; i++)
		fuzz_prog_release(&set->targets[i]);
	memset(set, 0, sizeof(*set));
}

int egen_maps(struct bpfvm *vm, struct bpfvm_map *maps[EGEN_MAPS])
{
	static const struct {
		enum bpf_map_type type;
		uint32_t key, value, max;
	} defs[EGEN_MAPS] = {
		[EGEN_ARRAY] = { BPF_MAP_TYPE_ARRAY, 4, ARRAY_VALUE, 4 },
		[EGEN_HASH] = { BPF_MAP_TYPE_HASH, 4, HASH_VALUE, 8 },
		[EGEN_PERCPU_ARRAY] = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, HASH_VALUE, 4 },
		[EGEN_PERCPU_HASH] = { BPF_MAP_TYPE_PERCPU_HASH, 4, HASH_VALUE, 8 },
		[EGEN_LRU_HASH] = { BPF_MAP_TYPE_LRU_HASH, 4, HASH_VALUE, 4 },
		[EGEN_LRU_PERCPU_HASH] = { BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, HASH_VALUE, 4 },
		[EGEN_QUEUE] = { BPF_MAP_TYPE_QUEUE, 0, 8, 4 },
		[EGEN_STACK] = { BPF_MAP_TYPE_STACK, 0, 8, 4 },
		[EGEN_RINGBUF] = { BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 },
		[EGEN_PROG_ARRAY] = { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, PROG_SLOTS },
	};

	memset(maps, 0, EGEN_MAPS * sizeof(maps[0]));
	for (int i = 0; i < EGEN_MAPS; i++) {
		/* a zero hash seed: the same order of elements in every runtime */
		struct bpfvm_map_create_opts opts = { .sz = sizeof(opts),
						      .map_flags = emaps_is_hash(defs[i].type) ?
								   BPF_F_ZERO_SEED : 0 };
		int err = bpfvm_map_create(vm, defs[i].type, "engines", defs[i].key,
					   defs[i].value, defs[i].max, &opts, &maps[i]);

		if (err) {
			egen_maps_close(maps);
			return err;
		}
	}
	return 0;
}

void egen_maps_close(struct bpfvm_map *maps[EGEN_MAPS])
{
	for (int i = 0; i < EGEN_MAPS; i++) {
		bpfvm_map_close(maps[i]);
		maps[i] = NULL;
	}
}
