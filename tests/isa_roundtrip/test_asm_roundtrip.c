/* The assembler reads back exactly what the disassembler prints, for every
 * valid encoding of the ISA; the text is the kernel verifier's; labels become
 * relative offsets; bad text and bad encodings are refused with a message
 * that says where and why.
 *
 * Exit status 0 when every check passes. Each failure prints the expected and
 * the actual text or bytes; the last line is "N passed, M failed".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "isa/isa.h"

static unsigned passed, failed;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failed++;
}

/* ---- Fixed-seed randomness (xorshift64*) ----------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Sample i of a field: the edges first, then random values. */
static int32_t sample_imm(unsigned i)
{
	static const int32_t edges[] = { 0, -1, INT32_MIN, INT32_MAX, 1, 0x7f, -32768 };

	if (i < sizeof(edges) / sizeof(edges[0]))
		return edges[i];
	if (i % 3 == 0)
		return (int32_t)(rng_next() % 2048) - 1024;
	return (int32_t)(uint32_t)rng_next();
}

static int16_t sample_off(unsigned i)
{
	static const int16_t edges[] = { 0, -1, INT16_MIN, INT16_MAX, 1, -8 };

	if (i < sizeof(edges) / sizeof(edges[0]))
		return edges[i];
	return (int16_t)(uint16_t)rng_next();
}

static uint8_t sample_reg(unsigned i)
{
	if (i < 2)
		return i == 0 ? 0 : 10;
	return (uint8_t)(rng_next() % 11);
}

#define SAMPLES 48

/* ---- Round trip ------------------------------------------------------ */

static void format_bytes(const struct bpf_insn *insns, size_t count, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < count && len < size; i++) {
		const struct bpf_insn *insn = &insns[i];

		len += (size_t)snprintf(buf + len, size - len,
					"%s{code 0x%02x dst %u src %u off %d imm %d}", i ? " " : "",
					insn->code, insn->dst_reg, insn->src_reg, insn->off,
					insn->imm);
	}
}

/* Opcodes that the systematic enumeration produced: every valid one. */
static bool enumerated_codes[256];

/* Disassembles `insns` (1 or 2 slots), reassembles the text, and checks that
 * the bytes come back. */
static void check_roundtrip(const struct bpf_insn *insns, size_t slots)
{
	char text[256], want[256], got[256];
	struct bpf_insn *again = NULL;
	size_t count = 0;
	int ret = bpfvm_disasm_insn(insns, slots, 0, text, sizeof(text));

	enumerated_codes[insns[0].code] = true;
	format_bytes(insns, slots, want, sizeof(want));
	if (ret != (int)slots) {
		fail("disasm %s: expected %zu slots, got %d (%s)", want, slots, ret, text);
		return;
	}
	ret = bpfvm_asm_parse(text, &again, &count);
	if (ret) {
		fail("asm \"%s\" (from %s): %d %s", text, want, ret, bpfvm_errmsg());
		return;
	}
	if (count != slots || memcmp(again, insns, slots * sizeof(*insns)) != 0) {
		format_bytes(again, count, got, sizeof(got));
		fail("round trip of \"%s\": expected %s, got %s", text, want, got);
	} else {
		passed++;
	}
	free(again);
}

static void check_roundtrip_one(struct bpf_insn insn)
{
	check_roundtrip(&insn, 1);
}

static void check_roundtrip_lddw(uint8_t dst, uint8_t src, int32_t low, int32_t high)
{
	struct bpf_insn pair[2] = {
		{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = dst, .src_reg = src, .imm = low },
		{ .imm = high },
	};

	check_roundtrip(pair, 2);
}

/* ---- (1) Every valid encoding round-trips ---------------------------- */

static const uint8_t alu_binary_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV,
					  BPF_OR,  BPF_AND, BPF_LSH, BPF_RSH,
					  BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };

/* The offsets an ALU op takes: 1 selects sdiv/smod, 8/16/32 movsx. */
static size_t alu_offsets(uint8_t class, uint8_t op, uint8_t source, int16_t *offs)
{
	size_t n = 0;

	offs[n++] = 0;
	if (op == BPF_DIV || op == BPF_MOD)
		offs[n++] = ISA_OFF_SIGNED;
	if (op == BPF_MOV && source == BPF_X) {
		offs[n++] = 8;
		offs[n++] = 16;
		if (class == BPF_ALU64)
			offs[n++] = 32;
	}
	return n;
}

static void roundtrip_alu_binary(uint8_t class, uint8_t op, uint8_t source)
{
	int16_t offs[5];
	size_t n = alu_offsets(class, op, source, offs);

	for (size_t o = 0; o < n; o++) {
		for (unsigned i = 0; i < SAMPLES; i++) {
			struct bpf_insn insn = { .code = class | op | source,
						 .dst_reg = sample_reg(i),
						 .off = offs[o] };

			if (source == BPF_X)
				insn.src_reg = sample_reg(i + 1);
			else
				insn.imm = sample_imm(i);
			check_roundtrip_one(insn);
		}
	}
}

static void every_alu_encoding_round_trips(void)
{
	static const uint8_t classes[] = { BPF_ALU, BPF_ALU64 };
	static const int32_t widths[] = { 16, 32, 64 };

	for (size_t c = 0; c < 2; c++) {
		for (size_t op = 0; op < sizeof(alu_binary_ops); op++) {
			roundtrip_alu_binary(classes[c], alu_binary_ops[op], BPF_K);
			roundtrip_alu_binary(classes[c], alu_binary_ops[op], BPF_X);
		}
		for (unsigned i = 0; i < SAMPLES; i++)
			check_roundtrip_one((struct bpf_insn){ .code = classes[c] | BPF_NEG,
							       .dst_reg = sample_reg(i) });
	}
	for (size_t w = 0; w < 3; w++) {
		for (uint8_t reg = 0; reg <= 10; reg++) {
			check_roundtrip_one((struct bpf_insn){ .code = BPF_ALU | BPF_END | BPF_TO_LE,
							       .dst_reg = reg, .imm = widths[w] });
			check_roundtrip_one((struct bpf_insn){ .code = BPF_ALU | BPF_END | BPF_TO_BE,
							       .dst_reg = reg, .imm = widths[w] });
			check_roundtrip_one((struct bpf_insn){ .code = BPF_ALU64 | BPF_END | BPF_TO_LE,
							       .dst_reg = reg, .imm = widths[w] });
		}
	}
}

static const uint8_t jump_conditions[] = { BPF_JEQ,  BPF_JGT,  BPF_JGE,	 BPF_JSET,
					   BPF_JNE,  BPF_JSGT, BPF_JSGE, BPF_JLT,
					   BPF_JLE,  BPF_JSLT, BPF_JSLE };

static void roundtrip_conditions(uint8_t class)
{
	for (size_t op = 0; op < sizeof(jump_conditions); op++) {
		for (unsigned i = 0; i < SAMPLES; i++) {
			uint8_t code = class | jump_conditions[op];

			check_roundtrip_one((struct bpf_insn){ .code = code | BPF_K,
							       .dst_reg = sample_reg(i),
							       .off = sample_off(i),
							       .imm = sample_imm(i) });
			check_roundtrip_one((struct bpf_insn){ .code = code | BPF_X,
							       .dst_reg = sample_reg(i),
							       .src_reg = sample_reg(i + 3),
							       .off = sample_off(i) });
		}
	}
}

static void every_jump_encoding_round_trips(void)
{
	roundtrip_conditions(BPF_JMP);
	roundtrip_conditions(BPF_JMP32);
	for (unsigned i = 0; i < SAMPLES; i++) {
		int32_t imm = sample_imm(i);

		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = sample_off(i) });
		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP32 | BPF_JA, .imm = imm });
		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = imm });
		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = (int32_t)i });
		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
						       .src_reg = BPF_PSEUDO_CALL, .imm = imm });
		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
						       .src_reg = BPF_PSEUDO_KFUNC_CALL, .imm = imm });
		check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_CALL | BPF_X,
						       .dst_reg = sample_reg(i) });
	}
	check_roundtrip_one((struct bpf_insn){ .code = BPF_JMP | BPF_EXIT });
}

static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

static void roundtrip_memory_size(uint8_t size, unsigned i)
{
	struct bpf_insn insn = { .dst_reg = sample_reg(i), .src_reg = sample_reg(i + 5),
				 .off = sample_off(i) };

	insn.code = BPF_LDX | BPF_MEM | size;
	check_roundtrip_one(insn);
	insn.code = BPF_STX | BPF_MEM | size;
	check_roundtrip_one(insn);
	if (size != BPF_DW) {
		insn.code = BPF_LDX | BPF_MEMSX | size;
		check_roundtrip_one(insn);
	}
	insn.code = BPF_ST | BPF_MEM | size;
	insn.src_reg = 0;
	insn.imm = sample_imm(i);
	check_roundtrip_one(insn);
}

static void roundtrip_atomics(uint8_t size, unsigned i)
{
	static const int32_t ops[] = { BPF_ADD, BPF_AND, BPF_OR, BPF_XOR };
	struct bpf_insn insn = { .code = BPF_STX | BPF_ATOMIC | size,
				 .dst_reg = sample_reg(i),
				 .src_reg = sample_reg(i + 7),
				 .off = sample_off(i) };

	for (size_t op = 0; op < 4; op++) {
		insn.imm = ops[op];
		check_roundtrip_one(insn);
		insn.imm = ops[op] | BPF_FETCH;
		check_roundtrip_one(insn);
	}
	insn.imm = BPF_XCHG;
	check_roundtrip_one(insn);
	insn.imm = BPF_CMPXCHG;
	check_roundtrip_one(insn);
}

static void roundtrip_packet_loads(uint8_t size, unsigned i)
{
	check_roundtrip_one((struct bpf_insn){ .code = BPF_LD | BPF_ABS | size,
					       .imm = sample_imm(i) });
	check_roundtrip_one((struct bpf_insn){ .code = BPF_LD | BPF_IND | size,
					       .src_reg = sample_reg(i),
					       .imm = sample_imm(i + 2) });
}

static void every_memory_encoding_round_trips(void)
{
	for (size_t s = 0; s < 4; s++) {
		for (unsigned i = 0; i < SAMPLES; i++) {
			roundtrip_memory_size(sizes[s], i);
			if (sizes[s] == BPF_W || sizes[s] == BPF_DW)
				roundtrip_atomics(sizes[s], i);
			if (sizes[s] != BPF_DW)
				roundtrip_packet_loads(sizes[s], i);
		}
	}
}

static void every_lddw_form_round_trips(void)
{
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint8_t dst = sample_reg(i);
		int32_t low = sample_imm(i), high = sample_imm(i + 3);

		check_roundtrip_lddw(dst, 0, low, high);
		check_roundtrip_lddw(dst, BPF_PSEUDO_MAP_FD, low, 0);
		check_roundtrip_lddw(dst, BPF_PSEUDO_MAP_VALUE, low, high);
		check_roundtrip_lddw(dst, BPF_PSEUDO_BTF_ID, low, high);
		check_roundtrip_lddw(dst, BPF_PSEUDO_BTF_ID, low, 0);
		check_roundtrip_lddw(dst, BPF_PSEUDO_FUNC, low, 0);
		check_roundtrip_lddw(dst, BPF_PSEUDO_MAP_IDX, low, 0);
		check_roundtrip_lddw(dst, BPF_PSEUDO_MAP_IDX_VALUE, low, high);
	}
}

/* ---- (2) The text is the kernel's ------------------------------------ */

struct expected_text {
	struct bpf_insn insns[2];
	const char *text;
};

#define INSN(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

static const struct expected_text kernel_texts[] = {
	{ { INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1) }, "r0 += 1" },
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, -1) }, "r0 = -1" },
	{ { INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 0, 0) }, "w0 = w1" },
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 8, 0) }, "r0 = (s8)r1" },
	{ { INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 16, 0) }, "w0 = (s16)w1" },
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 32, 0) }, "r0 = (s32)r1" },
	{ { INSN(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 1, 0) }, "r0 s/= r1" },
	{ { INSN(BPF_ALU64 | BPF_MOD | BPF_K, 0, 0, 1, 5) }, "r0 s%= 5" },
	{ { INSN(BPF_ALU | BPF_ARSH | BPF_K, 3, 0, 0, 7) }, "w3 s>>= 7" },
	{ { INSN(BPF_ALU64 | BPF_LSH | BPF_X, 2, 3, 0, 0) }, "r2 <<= r3" },
	{ { INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 0) }, "r0 = -r0" },
	{ { INSN(BPF_ALU | BPF_NEG, 2, 0, 0, 0) }, "w2 = -w2" },
	{ { INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 0, 16) }, "r0 = bswap16 r0" },
	{ { INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16) }, "r0 = be16 r0" },
	{ { INSN(BPF_ALU | BPF_END | BPF_TO_LE, 4, 0, 0, 32) }, "r4 = le32 r4" },
	{ { INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 4, 0) }, "r0 = *(u32 *)(r1 +4)" },
	{ { INSN(BPF_LDX | BPF_MEMSX | BPF_B, 0, 1, 0, 0) }, "r0 = *(s8 *)(r1 +0)" },
	{ { INSN(BPF_LDX | BPF_MEMSX | BPF_H, 2, 1, -2, 0) }, "r2 = *(s16 *)(r1 -2)" },
	{ { INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0) }, "*(u64 *)(r10 -8) = r1" },
	{ { INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -8, 5) }, "*(u32 *)(r10 -8) = 5" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_ADD) },
	  "lock *(u64 *)(r10 -8) += r1" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -8, BPF_OR) },
	  "lock *(u32 *)(r10 -8) |= r1" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_ADD | BPF_FETCH) },
	  "r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -8, BPF_XOR | BPF_FETCH) },
	  "r1 = atomic_fetch_xor((u32 *)(r10 -8), r1)" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_AND | BPF_FETCH) },
	  "r1 = atomic64_fetch_and((u64 *)(r10 -8), r1)" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_XCHG) },
	  "r1 = atomic64_xchg((u64 *)(r10 -8), r1)" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -8, BPF_XCHG) },
	  "r1 = atomic_xchg((u32 *)(r10 -8), r1)" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_CMPXCHG) },
	  "r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -8, BPF_CMPXCHG) },
	  "r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r1)" },
	{ { INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 4) }, "r0 = *(u8 *)skb[4]" },
	{ { INSN(BPF_LD | BPF_IND | BPF_H, 0, 1, 0, 4) }, "r0 = *(u16 *)skb[r1 + 4]" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x55667788), INSN(0, 0, 0, 0, 0x11223344) },
	  "r1 = 0x1122334455667788 ll" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 5) }, "r1 = map[fd:5]" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_VALUE, 0, 5), INSN(0, 0, 0, 0, 16) },
	  "r1 = map[fd:5][0]+16" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_BTF_ID, 0, 7) }, "r1 = btf[id:7]" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_FUNC, 0, 3) }, "r1 = subprog[+3]" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX, 0, 2) }, "r1 = map[idx:2]" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX_VALUE, 0, 2), INSN(0, 0, 0, 0, 16) },
	  "r1 = map[idx:2]+16" },
	{ { INSN(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 3, 5) }, "if r1 > 0x5 goto pc+3" },
	{ { INSN(BPF_JMP32 | BPF_JSLT | BPF_X, 1, 2, -4, 0) }, "if w1 s< w2 goto pc-4" },
	{ { INSN(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1, 4) }, "if r1 & 0x4 goto pc+1" },
	{ { INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, -1) }, "if r1 == 0xffffffff goto pc+1" },
	{ { INSN(BPF_JMP | BPF_JA, 0, 0, 2, 0) }, "goto pc+2" },
	{ { INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 100000) }, "gotol pc+100000" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem) },
	  "call bpf_map_lookup_elem#1" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call) }, "call bpf_tail_call#12" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 99999) }, "call unknown#99999" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 5) }, "call pc+5" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -3) }, "call pc-3" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 42) }, "call kernel-function#42" },
	{ { INSN(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0) }, "callx r2" },
	{ { INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, "exit" },
};

static void kernel_format_of_representative_instructions(void)
{
	for (size_t i = 0; i < sizeof(kernel_texts) / sizeof(kernel_texts[0]); i++) {
		const struct expected_text *expected = &kernel_texts[i];
		size_t slots = isa_is_lddw(expected->insns[0].code) ? 2 : 1;
		char text[256];
		int ret = bpfvm_disasm_insn(expected->insns, slots, 0, text, sizeof(text));

		if (ret != (int)slots || strcmp(text, expected->text) != 0)
			fail("disasm: expected \"%s\", got \"%s\" (%d)", expected->text, text, ret);
		else
			passed++;
	}
}

/* ---- (3) Labels and aliases ----------------------------------------- */

/* Assembles `text` and compares with `want`. */
static void check_program(const char *name, const char *text, const struct bpf_insn *want,
			  size_t want_count)
{
	struct bpf_insn *insns = NULL;
	size_t count = 0;
	int err = bpfvm_asm_parse(text, &insns, &count);

	if (err) {
		fail("%s: asm failed: %d %s", name, err, bpfvm_errmsg());
		return;
	}
	for (size_t i = 0; i < count || i < want_count; i++) {
		char expected[128] = "(none)", actual[128] = "(none)";

		if (i < want_count)
			format_bytes(&want[i], 1, expected, sizeof(expected));
		if (i < count)
			format_bytes(&insns[i], 1, actual, sizeof(actual));
		if (strcmp(expected, actual) != 0) {
			fail("%s: insn %zu: expected %s, got %s", name, i, expected, actual);
			free(insns);
			return;
		}
	}
	passed++;
	free(insns);
}

static void labels_resolve_to_relative_offsets(void)
{
	static const struct bpf_insn loop[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1),
		INSN(BPF_JMP | BPF_JLT | BPF_K, 0, 0, -2, 10),
		INSN(BPF_JMP | BPF_JA, 0, 0, 1, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 5),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	static const struct bpf_insn calls[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_FUNC, 0, 4),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 2),
		INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 2),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_ns),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -3),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	check_program("loop with labels",
		      "  r0 = 0\n"
		      "loop: r0 += 1\n"
		      "  if r0 < 10 goto loop ; back to the top\n"
		      "  goto out # forward\n"
		      "  r0 = 5\n"
		      "out:\n"
		      "\n"
		      "  exit\n",
		      loop, sizeof(loop) / sizeof(loop[0]));
	check_program("calls, gotol and subprog labels",
		      "r1 = subprog[sub]\n"	  /* 0-1: lddw counts two slots */
		      "call sub\n"		  /* 2 */
		      "gotol done\n"		  /* 3 */
		      "call map_lookup_elem\n"	  /* 4: a helper by name */
		      "sub: exit\n"		  /* 5 */
		      "done: call 5\n"		  /* 6: a helper by number */
		      ".Lback: call sub\n"	  /* 7 */
		      "exit\n",
		      calls, sizeof(calls) / sizeof(calls[0]));
}

static void bpftool_listing_reads_back(void)
{
	static const struct bpf_insn prog[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 3),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -8),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -9),
	};
	size_t count = sizeof(prog) / sizeof(prog[0]);
	char *listing = bpfvm_disasm_prog(prog, count);

	if (!listing) {
		fail("bpfvm_disasm_prog returned NULL");
		return;
	}
	if (!strstr(listing, "   3: call bpf_map_lookup_elem#1\n"))
		fail("listing: lddw must take indexes 1-2, got:\n%s", listing);
	else
		passed++;
	check_program("bpfvm_disasm_prog output", listing, prog, count);
	free(listing);
	/* What `bpftool prog dump xlated` prints, opcodes and all. */
	check_program("bpftool text",
		      "   0: (b7) r0 = 1\n"
		      "   1: (18) r1 = map[id:3]\n"
		      "   3: (85) call bpf_map_lookup_elem#1\n"
		      "; if (!value)\n"
		      "   4: (15) if r0 == 0x0 goto pc+1\n"
		      "   5: (79) r0 = *(u64 *)(r0 +0)\n"
		      "   6: (95) exit\n"
		      "   7: (85) call pc-8#0xffffffffc0001234\n"
		      "   8: (85) call pc-9#bpf_prog_3b185187f1855c4c_F\n",
		      prog, count);
}

static void aliases_read_as_documented(void)
{
	static const struct bpf_insn want[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_VALUE, 0, 5),
		INSN(0, 0, 0, 0, 16),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_IDX_VALUE, 0, 2),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 3, BPF_PSEUDO_MAP_FD, 0, 7),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 16),
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, -1),
		INSN(0, 0, 0, 0, -1),
		INSN(BPF_ALU | BPF_MOV | BPF_K, 4, 0, 0, -1),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 0, 0),
		INSN(BPF_JMP | BPF_JA, 0, 0, -1, 0),
	};
	struct bpf_insn *insns = NULL;
	size_t count = 1;
	int err;

	check_program("aliases",
		      "r1 = map[fd:5]+16\n"	   /* value offset without [0] */
		      "r2 = map[idx:2][0]+0\n"  /* [0] with an idx reference */
		      "r3 = map[id:7]\n"	   /* bpftool's id reads as fd */
		      "r0 = 0x10\n"		   /* hex without ll is a mov */
		      "r1 = -1 ll\n"
		      "w4 = 0xffffffff\n"	   /* 32-bit fields take unsigned */
		      "r0 = *(u32 *)(r1)\n"	   /* no offset */
		      "goto pc-1\r\n",
		      want, sizeof(want) / sizeof(want[0]));
	err = bpfvm_asm_parse("; nothing\n\n# but comments\n", &insns, &count);
	if (err || count != 0 || !insns)
		fail("comments only: expected 0 instructions, got %d, %zu", err, count);
	else
		passed++;
	free(insns);
}

/* ---- (4) Malformed text --------------------------------------------- */

struct malformed {
	const char *text;
	unsigned line;
	const char *message;
};

static const struct malformed malformed_texts[] = {
	{ "r0 = 1\nr11 = 1\n", 2, "unknown register 'r11'" },
	{ "exit\nexit\ngoto out\n", 3, "undefined label 'out'" },
	{ "call nowhere", 1, "undefined label or helper 'nowhere'" },
	{ "\n\n\nr0 = 1\ngoto pc+40000\n", 5, "jump offset 40000 out of range" },
	{ "x:\nx: exit\n", 2, "label 'x' is already defined on line 1" },
	{ "r0 +=", 1, "unexpected end of line" },
	{ "r0 += r1 r2", 1, "unexpected 'r2'" },
	{ "frobnicate r1", 1, "unknown instruction 'frobnicate'" },
	{ "r0 = *(u32 *)(r1 +4", 1, "expected ')'" },
	{ "w0 += r1", 1, "both operands must be r registers or both w registers" },
	{ "if r1 > w2 goto pc+1", 1, "both operands" },
	{ "r0 = 0xffffffff", 1, "immediate 4294967295 out of range" },
	{ "r0 = 99999999999999999999", 1, "does not fit in 64 bits" },
	{ "r0 = 12ab", 1, "malformed number '12ab'" },
	{ "r0 = *(u64 *)(r1 +40000)", 1, "offset 40000 out of range" },
	{ "r0 = atomic64_fetch_add((u32 *)(r1 +0), r0)", 1, "u64" },
	{ "r2 = atomic64_xchg((u64 *)(r1 +0), r3)", 1, "operand register" },
	{ "r1 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r3)", 1, "r0" },
	{ "lock *(u8 *)(r1 +0) += r2", 1, "atomic operations take u32 or u64" },
	{ "*(s8 *)(r1 +0) = 1", 1, "stores and atomics take" },
	{ "r1 = *(u8 *)skb[4]", 1, "packet loads" },
	{ "call bpf_map_lookup_elem#2", 1, "'bpf_map_lookup_elem' is helper #1, not #2" },
	{ "r1: exit", 1, "'r1' is a register, not a label" },
	{ "w0 = (s32)w1", 1, "expected s8 or s16" },
	{ "w1 = 5 ll", 1, "lddw takes a 64-bit register" },
	{ "r0 = be16 r1", 1, "same register" },
	{ "r0 = -r1", 1, "same register" },
	{ "r1 = map[fd:5][1]+0", 1, "expected [0]" },
	{ "r1 = map[fx:5]", 1, "expected a tag" },
	{ "goto", 1, "expected pc+N, pc-N or a label" },
	{ "if r1 ~ 3 goto pc+1", 1, "unexpected character '~'" },
	{ "w0 = *(u8 *)(r1 +0)", 1, "64-bit register" },
	{ "exit\n  callx w2", 2, "64-bit register" },
	{ "gotol pc+2147483648", 1, "jump offset 2147483648 out of range" },
	{ "r0 = 0x", 1, "malformed number '0x'" },
};

static void malformed_text_is_rejected_with_its_line(void)
{
	for (size_t i = 0; i < sizeof(malformed_texts) / sizeof(malformed_texts[0]); i++) {
		const struct malformed *bad = &malformed_texts[i];
		struct bpf_insn *insns = NULL;
		size_t count = 0;
		char prefix[32];
		int err = bpfvm_asm_parse(bad->text, &insns, &count);
		const char *message = bpfvm_errmsg();

		snprintf(prefix, sizeof(prefix), "line %u: ", bad->line);
		if (err != -EINVAL || strncmp(message, prefix, strlen(prefix)) != 0 ||
		    !strstr(message, bad->message))
			fail("asm \"%s\": expected -EINVAL and \"%s...%s\", got %d \"%s\"", bad->text,
			     prefix, bad->message, err, err ? message : "");
		else
			passed++;
		if (!err)
			free(insns);
	}
}

/* A label too far for a 16-bit jump offset. */
static void far_label_is_out_of_range(void)
{
	size_t filler = 40000;
	size_t size = filler * 7 + 64;
	char *text = malloc(size);
	struct bpf_insn *insns = NULL;
	size_t count = 0, len = 0;
	int err;

	if (!text) {
		fail("out of memory");
		return;
	}
	len += (size_t)snprintf(text + len, size - len, "goto far\n");
	for (size_t i = 0; i < filler; i++)
		len += (size_t)snprintf(text + len, size - len, "r0 = 0\n");
	snprintf(text + len, size - len, "far: exit\n");
	err = bpfvm_asm_parse(text, &insns, &count);
	if (err != -EINVAL || !strstr(bpfvm_errmsg(), "line 1: jump offset 40000 out of range"))
		fail("far label: expected \"line 1: jump offset 40000 out of range\", got %d \"%s\"",
		     err, bpfvm_errmsg());
	else
		passed++;
	if (!err)
		free(insns);
	free(text);
}

/* ---- (5) Invalid encodings ------------------------------------------ */

struct invalid_encoding {
	struct bpf_insn insns[2];
	size_t count;
	const char *message;
};

static const struct invalid_encoding invalid_encodings[] = {
	{ { INSN(0xff, 0, 0, 0, 0) }, 1, "invalid opcode 0xff" },
	{ { INSN(BPF_ALU64 | 0xe0, 0, 0, 0, 0) }, 1, "invalid opcode 0xe7" },
	{ { INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 1, 0, 0) }, 1, "src_reg is 1, must be 0" },
	{ { INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 7) }, 1, "imm is 7, must be 0" },
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 11, 1, 0, 0) }, 1, "dst_reg is r11" },
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 15, 0, 0) }, 1, "src_reg is r15" },
	{ { INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 8, 1) }, 1, "offset 8" },
	{ { INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0) }, 1, "offset 32" },
	{ { INSN(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 2, 0) }, 1, "offset 2" },
	{ { INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 1, 0) }, 1, "offset 1" },
	{ { INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 0, 24) }, 1, "byte swap width 24" },
	{ { INSN(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16) }, 1, "invalid opcode 0xdf" },
	{ { INSN(BPF_ALU | BPF_NEG | BPF_X, 0, 0, 0, 0) }, 1, "invalid opcode 0x8c" },
	{ { INSN(BPF_ALU64 | BPF_NEG, 0, 0, 0, 1) }, 1, "imm is 1" },
	{ { INSN(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1) }, 1, "invalid opcode 0x86" },
	{ { INSN(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0) }, 1, "invalid opcode 0x96" },
	{ { INSN(BPF_JMP | 0xe0, 0, 0, 0, 0) }, 1, "invalid opcode 0xe5" },
	{ { INSN(BPF_JMP | BPF_JA | BPF_X, 0, 0, 0, 0) }, 1, "invalid opcode 0x0d" },
	{ { INSN(BPF_JMP | BPF_JA, 0, 0, 1, 1) }, 1, "imm is 1" },
	{ { INSN(BPF_JMP32 | BPF_JA, 0, 0, 1, 1) }, 1, "off is 1" },
	{ { INSN(BPF_JMP | BPF_EXIT, 1, 0, 0, 0) }, 1, "dst_reg is 1" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, 3, 0, 0) }, 1, "call source src_reg 3" },
	{ { INSN(BPF_JMP | BPF_CALL, 0, 0, 1, 0) }, 1, "off is 1" },
	{ { INSN(BPF_JMP | BPF_CALL | BPF_X, 1, 0, 0, 1) }, 1, "imm is 1" },
	{ { INSN(BPF_JMP | BPF_JEQ | BPF_X, 1, 2, 0, 3) }, 1, "imm is 3" },
	{ { INSN(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 1, 0, 0) }, 1, "invalid opcode 0x99" },
	{ { INSN(BPF_LDX | BPF_ATOMIC | BPF_W, 0, 1, 0, 0) }, 1, "invalid opcode 0xc1" },
	{ { INSN(BPF_ST | BPF_ATOMIC | BPF_W, 0, 1, 0, 0) }, 1, "invalid opcode 0xc2" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_B, 1, 2, 0, BPF_ADD) }, 1, "invalid opcode 0xd3" },
	{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x02) }, 1, "atomic operation 0x2" },
	{ { INSN(BPF_STX | BPF_MEM | BPF_W, 1, 2, 0, 1) }, 1, "imm is 1" },
	{ { INSN(BPF_ST | BPF_MEM | BPF_W, 1, 2, 0, 1) }, 1, "src_reg is 2" },
	{ { INSN(BPF_LD | BPF_ABS | BPF_DW, 0, 0, 0, 0) }, 1, "invalid opcode 0x38" },
	{ { INSN(BPF_LD | BPF_ABS | BPF_W, 1, 0, 0, 0) }, 1, "dst_reg is 1" },
	{ { INSN(BPF_LD | BPF_IND | BPF_W, 0, 1, 2, 0) }, 1, "off is 2" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 0) }, 1, "invalid opcode 0x00" },
	{ { INSN(BPF_LD | BPF_MEM | BPF_W, 0, 0, 0, 0) }, 1, "invalid opcode 0x60" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 0) }, 1, "no second half" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 0), INSN(0x07, 0, 0, 0, 0) }, 2,
	  "second half has code 0x07" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 7, 0, 0), INSN(0, 0, 0, 0, 0) }, 2,
	  "lddw source src_reg 7" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 0, BPF_PSEUDO_MAP_FD, 0, 1), INSN(0, 0, 0, 0, 3) }, 2,
	  "takes no second imm" },
	{ { INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 1, 0), INSN(0, 0, 0, 0, 0) }, 2, "off is 1" },
};

static void invalid_encodings_are_reported_by_the_disassembler(void)
{
	for (size_t i = 0; i < sizeof(invalid_encodings) / sizeof(invalid_encodings[0]); i++) {
		const struct invalid_encoding *bad = &invalid_encodings[i];
		char text[256], want[256];
		int ret = bpfvm_disasm_insn(bad->insns, bad->count, 0, text, sizeof(text));

		format_bytes(bad->insns, bad->count, want, sizeof(want));
		if (ret != -EINVAL || !strstr(text, bad->message) ||
		    !strstr(bpfvm_errmsg(), bad->message))
			fail("disasm %s: expected -EINVAL and \"%s\", got %d \"%s\"", want, bad->message,
			     ret, text);
		else
			passed++;
	}
}

static void disassembler_edge_cases(void)
{
	struct bpf_insn prog[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
		INSN(0xff, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	char text[8];
	char *listing;
	int ret;

	ret = bpfvm_disasm_insn(prog, 3, 3, text, sizeof(text));
	if (ret != -EINVAL || !strstr(bpfvm_errmsg(), "out of range"))
		fail("index past the end: expected -EINVAL, got %d \"%s\"", ret, bpfvm_errmsg());
	else
		passed++;
	/* A small buffer truncates but still reports the slot count. */
	ret = bpfvm_disasm_insn(prog, 3, 0, text, 5);
	if (ret != 1 || strcmp(text, "r0 =") != 0)
		fail("truncation: expected 1 and \"r0 =\", got %d \"%s\"", ret, text);
	else
		passed++;
	listing = bpfvm_disasm_prog(prog, 3);
	if (!listing || strcmp(listing, "   0: r0 = 1\n   1: invalid opcode 0xff\n   2: exit\n") != 0)
		fail("listing with an invalid instruction: got \"%s\"", listing ? listing : "(null)");
	else
		passed++;
	free(listing);
}

/* ---- (6) Random encodings never print lossily ------------------------ */

/* Field values that make valid encodings likely: END widths, atomic ops,
 * movsx and sdiv offsets, pseudo sources. */
static int32_t fuzz_imm(void)
{
	static const int32_t special[] = { 0,	     1,		16,	    32,		 64,
					   BPF_ADD, BPF_AND,	BPF_OR,	    BPF_XOR,	 BPF_ADD | BPF_FETCH,
					   BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_XOR | BPF_FETCH,
					   BPF_XCHG, BPF_CMPXCHG, -1 };
	uint64_t r = rng_next();

	if (r % 2)
		return special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
	return (int32_t)(uint32_t)(r >> 16);
}

static struct bpf_insn fuzz_insn(uint8_t code)
{
	static const int16_t offs[] = { 0, 1, 8, 16, 32, -1 };
	uint64_t r = rng_next();
	struct bpf_insn insn = { .code = code };

	insn.dst_reg = r % 4 ? (uint8_t)(r % 11) : (uint8_t)(r % 16);
	insn.src_reg = (r >> 8) % 4 ? (uint8_t)((r >> 8) % 7) : (uint8_t)((r >> 8) % 16);
	insn.off = (r >> 16) % 2 ? offs[(r >> 20) % 6] : (int16_t)(uint16_t)(r >> 32);
	insn.imm = fuzz_imm();
	if ((r >> 24) % 2)
		insn.dst_reg = insn.src_reg = 0;
	if ((r >> 25) % 2)
		insn.off = 0;
	return insn;
}

static void random_instructions_never_print_lossily(void)
{
	bool valid_codes[256] = { false };
	unsigned valid = 0, lossy = 0;

	for (unsigned code = 0; code < 256; code++) {
		for (unsigned i = 0; i < 4000; i++) {
			struct bpf_insn pair[2] = { fuzz_insn((uint8_t)code), { 0 } };
			struct bpf_insn *again = NULL;
			size_t count = 0;
			char text[256], want[256], got[256];
			int slots;

			if (rng_next() % 2)
				pair[1].imm = (int32_t)(uint32_t)rng_next();
			slots = bpfvm_disasm_insn(pair, 2, 0, text, sizeof(text));
			if (slots < 0)
				continue;
			valid++;
			valid_codes[code] = true;
			if (bpfvm_asm_parse(text, &again, &count) == 0 && count == (size_t)slots &&
			    memcmp(again, pair, (size_t)slots * sizeof(pair[0])) == 0) {
				free(again);
				continue;
			}
			format_bytes(pair, (size_t)slots, want, sizeof(want));
			format_bytes(again, again ? count : 0, got, sizeof(got));
			if (lossy++ < 10)
				fail("random %s printed as \"%s\" reads back as %s (%s)", want, text,
				     got, bpfvm_errmsg());
			free(again);
		}
	}
	if (lossy == 0)
		passed++;
	/* The systematic enumeration covers exactly the opcodes that are valid. */
	for (unsigned code = 0; code < 256; code++) {
		if (valid_codes[code] == enumerated_codes[code])
			continue;
		fail("opcode 0x%02x: %s", code,
		     valid_codes[code] ? "valid but missing from the systematic enumeration"
				       : "enumerated but never valid in random encodings");
	}
	printf("random encodings: %u valid, %u read back differently\n", valid, lossy);
}

int main(void)
{
	every_alu_encoding_round_trips();
	every_jump_encoding_round_trips();
	every_memory_encoding_round_trips();
	every_lddw_form_round_trips();
	kernel_format_of_representative_instructions();
	labels_resolve_to_relative_offsets();
	bpftool_listing_reads_back();
	aliases_read_as_documented();
	malformed_text_is_rejected_with_its_line();
	far_label_is_out_of_range();
	invalid_encodings_are_reported_by_the_disassembler();
	disassembler_edge_cases();
	random_instructions_never_print_lossily();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
