/* The JIT agrees with the interpreter, bit for bit, instruction family by
 * instruction family, on edge values: every ALU operation (32 and 64 bits,
 * immediate and register, with the x86 registers that division, shifts and
 * cmpxchg use implicitly as operands), every jump condition at the
 * boundaries, every load, store and atomic size, and calls, packet loads and
 * the budget. Each program runs under both engines on the same inputs; all
 * ten registers after the instruction are compared (the program writes them
 * to memory), and so is the memory.
 *
 * Memory of one run (ctx_size MEM_LEN):
 *
 *     0    80        88        96        104       136
 *     | r0..r9 dump | in0     | in1     | in2     | scratch |
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "isa/isa.h"
#include "testlib.h"

#define MEM_LEN 136
#define IN0 80
#define IN1 88
#define IN2 96
#define SCRATCH 104
#define MAX_INSNS 128
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static struct bpfvm *engines[2]; /* interpreter, JIT */
static unsigned programs_run, runs_compared;

static const uint64_t values[] = {
	0, 1, 2, 7, (uint64_t)-1, (uint64_t)-7, 31, 32, 63, 64, 0x7fffffff,
	0xffffffff80000000ull, 0x80000000, 0xffffffff, 0x100000000ull, 0x17fffffffull,
	0x8000000000000000ull, 0x7fffffffffffffffull, 0xdeadbeefcafef00dull,
};

static const int32_t imms[] = { 0, 1, -1, 7, -7, 31, 32, 63, INT32_MAX, INT32_MIN, 0x8000,
				0x12345678 };

/* ---- building programs ------------------------------------------------ */

struct program {
	struct bpf_insn insns[MAX_INSNS];
	size_t len;
	char name[160];
};

static void emit(struct program *prog, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	prog->insns[prog->len++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						      .off = off, .imm = imm };
}

static void emit_lddw(struct program *prog, uint8_t dst, uint64_t value)
{
	emit(prog, BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int32_t)(uint32_t)value);
	emit(prog, 0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32));
}

static void emit_mov_reg(struct program *prog, uint8_t dst, uint8_t src)
{
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static void emit_ldx(struct program *prog, uint8_t dst, uint8_t src, int16_t off)
{
	emit(prog, BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0);
}

static void emit_stx(struct program *prog, uint8_t dst, uint8_t src, int16_t off)
{
	emit(prog, BPF_STX | BPF_MEM | BPF_DW, dst, src, off, 0);
}

/* Saves r1 (the memory) at r10-8 and the inputs at r10-16, -24, -32, then
 * gives every register r0..r9 a distinct value. */
static void emit_start(struct program *prog, const char *name)
{
	snprintf(prog->name, sizeof(prog->name), "%s", name);
	prog->len = 0;
	emit_stx(prog, 10, 1, -8);
	for (int i = 0; i < 3; i++) {
		emit_ldx(prog, 2, 1, (int16_t)(IN0 + 8 * i));
		emit_stx(prog, 10, 2, (int16_t)(-16 - 8 * i));
	}
	for (uint8_t reg = 0; reg <= 9; reg++)
		emit_lddw(prog, reg, 0x0101010101010101ull * (reg + 1) ^ 0x8040201008040201ull);
}

/* reg = input n (0..2) */
static void emit_input(struct program *prog, uint8_t reg, int n)
{
	emit_ldx(prog, reg, 10, (int16_t)(-16 - 8 * n));
}

/* Writes r0..r9 to memory 0..80 (through the stack, since every register
 * is part of the result) and exits with r0 = 0. */
static void emit_dump_and_exit(struct program *prog)
{
	for (uint8_t reg = 0; reg <= 9; reg++)
		emit_stx(prog, 10, reg, (int16_t)(-40 - 8 * reg));
	emit_ldx(prog, 1, 10, -8);
	for (int i = 0; i <= 9; i++) {
		emit_ldx(prog, 2, 10, (int16_t)(-40 - 8 * i));
		emit_stx(prog, 1, 2, (int16_t)(8 * i));
	}
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	emit(prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* ---- running under both engines --------------------------------------- */

struct outcome {
	int load_err;
	int run_err;
	uint64_t r0;
	uint8_t mem[MEM_LEN];
	char message[256];
};

/* A program loaded under both engines. */
struct pair {
	const struct program *prog;
	struct bpfvm_prog *loaded[2];
	int load_err[2];
	char load_message[2][256];
};

static void pair_load(struct pair *pair, const struct program *prog, uint64_t insn_budget)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "agree", .ctx_size = MEM_LEN,
					.insn_budget = insn_budget };

	memset(pair, 0, sizeof(*pair));
	pair->prog = prog;
	programs_run++;
	for (int e = 0; e < 2; e++) {
		pair->load_err[e] = bpfvm_prog_load_raw(engines[e], prog->insns, prog->len, &opts,
							&pair->loaded[e]);
		if (pair->load_err[e])
			snprintf(pair->load_message[e], sizeof(pair->load_message[e]), "%s",
				 bpfvm_errmsg());
	}
}

static void pair_free(struct pair *pair)
{
	bpfvm_prog_free(pair->loaded[0]);
	bpfvm_prog_free(pair->loaded[1]);
}

static void run_one(const struct pair *pair, int e, const uint8_t *mem, struct outcome *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->mem, mem, MEM_LEN);
	out->load_err = pair->load_err[e];
	if (out->load_err) {
		snprintf(out->message, sizeof(out->message), "%s", pair->load_message[e]);
		return;
	}
	out->run_err = bpfvm_prog_run_raw(pair->loaded[e], out->mem, MEM_LEN, &out->r0);
	if (out->run_err)
		snprintf(out->message, sizeof(out->message), "%s", bpfvm_errmsg());
}

static void print_differences(const struct outcome *interp, const struct outcome *jit)
{
	printf("    interp: load %d run %d r0 %#" PRIx64 " %s\n", interp->load_err, interp->run_err,
	       interp->r0, interp->message);
	printf("    jit:    load %d run %d r0 %#" PRIx64 " %s\n", jit->load_err, jit->run_err,
	       jit->r0, jit->message);
	for (size_t i = 0; i < MEM_LEN; i += 8) {
		uint64_t a, b;

		memcpy(&a, interp->mem + i, 8);
		memcpy(&b, jit->mem + i, 8);
		if (a != b)
			printf("    mem[%3zu] (%s): interp %#" PRIx64 ", jit %#" PRIx64 "\n", i,
			       i < 80 ? "register dump" : "data", a, b);
	}
}

/* Runs the pair on inputs in0..in2; returns whether the engines agree (and
 * reports when they do not, or when both refused the program). */
static bool agree(const struct pair *pair, const uint64_t in[3])
{
	uint8_t mem[MEM_LEN];
	struct outcome interp, jit;
	bool same;

	memset(mem, 0x5a, sizeof(mem));
	memcpy(mem + IN0, in, 3 * sizeof(uint64_t));
	run_one(pair, 0, mem, &interp);
	run_one(pair, 1, mem, &jit);
	runs_compared++;
	same = interp.load_err == jit.load_err && interp.run_err == jit.run_err &&
	       interp.r0 == jit.r0 && memcmp(interp.mem, jit.mem, MEM_LEN) == 0 &&
	       strcmp(interp.message, jit.message) == 0 && !interp.load_err;
	testlib_check(pair->prog->name, same, "inputs %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64,
		      in[0], in[1], in[2]);
	if (!same) {
		print_differences(&interp, &jit);
		testlib_print_disasm(pair->prog->insns, pair->prog->len);
	}
	return same;
}

/* Every value as in0, and with `pairs`, every pair as in0, in1. */
static void agree_on_values(const struct program *prog, bool pairs)
{
	struct pair pair;

	pair_load(&pair, prog, 0);
	for (size_t a = 0; a < COUNT(values); a++)
		for (size_t b = 0; b < (pairs ? COUNT(values) : 1); b++) {
			const uint64_t in[3] = { values[a], values[b], values[(a + b) % COUNT(values)] };

			if (!agree(&pair, in))
				goto out;
		}
out:
	pair_free(&pair);
}

/* ---- ALU -------------------------------------------------------------- */

static const struct { uint8_t op; int16_t off; const char *name; } alu_ops[] = {
	{ BPF_ADD, 0, "add" }, { BPF_SUB, 0, "sub" }, { BPF_MUL, 0, "mul" },
	{ BPF_DIV, 0, "div" }, { BPF_DIV, 1, "sdiv" }, { BPF_MOD, 0, "mod" },
	{ BPF_MOD, 1, "smod" }, { BPF_OR, 0, "or" }, { BPF_AND, 0, "and" },
	{ BPF_LSH, 0, "lsh" }, { BPF_RSH, 0, "rsh" }, { BPF_ARSH, 0, "arsh" },
	{ BPF_XOR, 0, "xor" }, { BPF_MOV, 0, "mov" },
};

/* dst, src pairs that meet x86's implicit operands: rax (r0), rdx (r3),
 * rcx (r4), and the same register on both sides. */
static const uint8_t reg_pairs[][2] = { { 6, 7 }, { 0, 3 }, { 3, 4 }, { 4, 0 }, { 2, 2 },
					{ 4, 4 }, { 3, 0 }, { 9, 5 } };

static bool is_shift(uint8_t op)
{
	return op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH;
}

static void test_alu_reg(uint8_t cls, size_t i, const uint8_t regs[2])
{
	struct program prog;
	char name[128];

	snprintf(name, sizeof(name), "jit_agrees_%s%s_r%u_r%u", alu_ops[i].name,
		 cls == BPF_ALU ? "32" : "64", regs[0], regs[1]);
	emit_start(&prog, name);
	emit_input(&prog, regs[0], 0);
	if (regs[1] != regs[0])
		emit_input(&prog, regs[1], 1);
	emit(&prog, cls | alu_ops[i].op | BPF_X, regs[0], regs[1], alu_ops[i].off, 0);
	emit_dump_and_exit(&prog);
	agree_on_values(&prog, true);
}

static void test_alu_imm(uint8_t cls, size_t i, uint8_t dst, int32_t imm)
{
	struct program prog;
	char name[128];

	if (is_shift(alu_ops[i].op))
		imm &= cls == BPF_ALU ? 31 : 63; /* larger constant shifts are refused */
	snprintf(name, sizeof(name), "jit_agrees_%s%s_r%u_imm_%d", alu_ops[i].name,
		 cls == BPF_ALU ? "32" : "64", dst, imm);
	emit_start(&prog, name);
	emit_input(&prog, dst, 0);
	emit(&prog, cls | alu_ops[i].op | BPF_K, dst, 0, alu_ops[i].off, imm);
	emit_dump_and_exit(&prog);
	agree_on_values(&prog, false);
}

static void test_alu(void)
{
	static const uint8_t dsts[] = { 0, 3, 4, 7 };

	for (int w = 0; w < 2; w++) {
		uint8_t cls = w ? BPF_ALU64 : BPF_ALU;

		for (size_t i = 0; i < COUNT(alu_ops); i++) {
			for (size_t p = 0; p < COUNT(reg_pairs); p++)
				test_alu_reg(cls, i, reg_pairs[p]);
			for (size_t k = 0; k < COUNT(imms); k++)
				test_alu_imm(cls, i, dsts[k % COUNT(dsts)], imms[k]);
		}
	}
}

/* neg, byte swaps, sign-extending moves */
static void test_unary_one(const char *name, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			   int32_t imm)
{
	struct program prog;
	char full[128];

	snprintf(full, sizeof(full), "jit_agrees_%s_r%u_r%u", name, dst, src);
	emit_start(&prog, full);
	emit_input(&prog, src, 0);
	emit(&prog, code, dst, src, off, imm);
	emit_dump_and_exit(&prog);
	agree_on_values(&prog, false);
}

static void test_unary(void)
{
	static const uint8_t regs[][2] = { { 0, 0 }, { 1, 2 }, { 6, 1 }, { 4, 3 }, { 2, 6 } };

	for (size_t r = 0; r < COUNT(regs); r++) {
		uint8_t d = regs[r][0], s = regs[r][1];

		test_unary_one("neg64", BPF_ALU64 | BPF_NEG, s, 0, 0, 0);
		test_unary_one("neg32", BPF_ALU | BPF_NEG, s, 0, 0, 0);
		for (int width = 16; width <= 64; width *= 2) {
			char name[32];

			snprintf(name, sizeof(name), "le%d", width);
			test_unary_one(name, BPF_ALU | BPF_END | BPF_TO_LE, s, 0, 0, width);
			snprintf(name, sizeof(name), "be%d", width);
			test_unary_one(name, BPF_ALU | BPF_END | BPF_TO_BE, s, 0, 0, width);
			snprintf(name, sizeof(name), "bswap%d", width);
			test_unary_one(name, BPF_ALU64 | BPF_END, s, 0, 0, width);
		}
		test_unary_one("movsx64_8", BPF_ALU64 | BPF_MOV | BPF_X, d, s, 8, 0);
		test_unary_one("movsx64_16", BPF_ALU64 | BPF_MOV | BPF_X, d, s, 16, 0);
		test_unary_one("movsx64_32", BPF_ALU64 | BPF_MOV | BPF_X, d, s, 32, 0);
		test_unary_one("movsx32_8", BPF_ALU | BPF_MOV | BPF_X, d, s, 8, 0);
		test_unary_one("movsx32_16", BPF_ALU | BPF_MOV | BPF_X, d, s, 16, 0);
	}
}

/* ---- jumps ------------------------------------------------------------ */

static const struct { uint8_t op; const char *name; } jmp_ops[] = {
	{ BPF_JEQ, "jeq" }, { BPF_JGT, "jgt" }, { BPF_JGE, "jge" }, { BPF_JSET, "jset" },
	{ BPF_JNE, "jne" }, { BPF_JSGT, "jsgt" }, { BPF_JSGE, "jsge" }, { BPF_JLT, "jlt" },
	{ BPF_JLE, "jle" }, { BPF_JSLT, "jslt" }, { BPF_JSLE, "jsle" },
};

/* r0 = 1; if (cond) goto taken; r0 = 2; taken: dump */
static void test_jump_one(uint8_t cls, size_t i, bool from_reg, uint8_t dst, uint8_t src,
			  int32_t imm)
{
	struct program prog;
	char name[128];

	snprintf(name, sizeof(name), "jit_agrees_%s%s_%s_r%u_%s%d", jmp_ops[i].name,
		 cls == BPF_JMP32 ? "32" : "", from_reg ? "reg" : "imm", dst,
		 from_reg ? "r" : "", from_reg ? src : imm);
	emit_start(&prog, name);
	emit_input(&prog, dst, 0);
	if (from_reg)
		emit_input(&prog, src, 1);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 8, 0, 0, 1);
	emit(&prog, cls | jmp_ops[i].op | (from_reg ? BPF_X : BPF_K), dst, src, 1, imm);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 8, 0, 0, 2);
	emit_dump_and_exit(&prog);
	agree_on_values(&prog, from_reg);
}

static void test_jumps(void)
{
	for (int w = 0; w < 2; w++) {
		uint8_t cls = w ? BPF_JMP : BPF_JMP32;

		for (size_t i = 0; i < COUNT(jmp_ops); i++) {
			test_jump_one(cls, i, true, 6, 7, 0);
			test_jump_one(cls, i, true, 0, 3, 0);
			for (size_t k = 0; k < COUNT(imms); k++)
				test_jump_one(cls, i, false, k & 1 ? 0 : 9, 0, imms[k]);
		}
	}
}

/* A backward jump closing a loop that runs in1 % 64 times, and gotol. */
static void test_loops(void)
{
	struct program prog;

	emit_start(&prog, "jit_agrees_loop_with_backward_jumps_and_gotol");
	emit_input(&prog, 6, 1);
	emit(&prog, BPF_ALU64 | BPF_AND | BPF_K, 6, 0, 0, 63);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 0);
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, 3);	  /* loop: */
	emit(&prog, BPF_JMP32 | BPF_JA, 0, 0, 0, 1);		  /* gotol +1 */
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, -1);
	emit(&prog, BPF_ALU64 | BPF_SUB | BPF_K, 6, 0, 0, 1);
	emit(&prog, BPF_JMP | BPF_JSGT | BPF_K, 6, 0, -5, 0);	  /* goto loop */
	emit_dump_and_exit(&prog);
	agree_on_values(&prog, true);
}

/* The program under budgets that stop it early and late. */
static void agree_on_budgets(const struct program *prog)
{
	static const uint64_t budgets[] = { 1, 2, 3, 8, 15, 29, 1000, 3999, 4003, 100000 };
	const uint64_t in[3] = { 0 };

	for (size_t i = 0; i < COUNT(budgets); i++) {
		uint64_t budget = budgets[i];
		struct pair pair;

		pair_load(&pair, prog, budget);
		agree(&pair, in);
		pair_free(&pair);
	}
}

/* The loop's body is a local call, charged with the callee's length; the
 * budget runs out inside the callee (the error leaves from two native
 * frames down) or at the call. */
static void test_budget_in_calls(void)
{
	struct program prog;
	size_t call;

	emit_start(&prog, "jit_stops_at_the_interpreters_budget_in_a_call");
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);
	call = prog.len;
	emit(&prog, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);	  /* loop: */
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_X, 6, 0, 0, 0);
	emit(&prog, BPF_JMP | BPF_JLT | BPF_K, 6, 0, -3, 3000);
	for (uint8_t reg = 1; reg <= 5; reg++) /* a call leaves them unreadable */
		emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, 0);
	emit_dump_and_exit(&prog);
	prog.insns[call].imm = (int32_t)(prog.len - call - 1);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);		  /* f: */
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1);		  /* 3 rounds */
	emit(&prog, BPF_JMP | BPF_JLT | BPF_K, 0, 0, -2, 3);
	emit(&prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	agree_on_budgets(&prog);
}

/* A loop of 1000 rounds (the verifier refuses endless ones) stops at the
 * same instruction, with the same message and memory, in both when the
 * budget is short, and completes in both when it is not. */
static void test_budget(void)
{
	struct program prog;

	emit_start(&prog, "jit_stops_at_the_interpreters_budget");
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, 6, 0, 0, 1);
	emit_ldx(&prog, 1, 10, -8);
	emit_stx(&prog, 1, 6, IN2);
	emit(&prog, BPF_JMP | BPF_JLT | BPF_K, 6, 0, -4, 1000);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0);
	emit_dump_and_exit(&prog);
	agree_on_budgets(&prog);
	test_budget_in_calls();
}

/* ---- memory ----------------------------------------------------------- */

static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static const char *const size_names[4] = { "b", "h", "w", "dw" };

/* base = memory + SCRATCH - 8, so that offsets 0..24 reach in2 and the
 * scratch bytes (in2 is the data; the rest stays 0x5a). */
static void emit_base(struct program *prog, uint8_t base)
{
	emit_ldx(prog, base, 10, -8);
	emit(prog, BPF_ALU64 | BPF_ADD | BPF_K, base, 0, 0, IN2);
}

/* The base register is cleared before the dump unless the instruction
 * wrote it: addresses differ between runs. */
static void emit_clear_base(struct program *prog, uint8_t base, uint8_t written)
{
	if (base != written)
		emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, base, 0, 0, 0);
}

static void test_loads(void)
{
	static const uint8_t regs[][2] = { { 0, 1 }, { 2, 7 }, { 5, 5 }, { 6, 0 }, { 1, 10 } };
	static const int16_t offs[] = { 0, 1, 3, 5 };

	for (size_t s = 0; s < 4; s++)
		for (int sx = 0; sx < 2; sx++)
			for (size_t r = 0; r < COUNT(regs); r++) {
				uint8_t dst = regs[r][0], base = regs[r][1];
				int16_t off = offs[r % COUNT(offs)];
				struct program prog;
				char name[128];

				if (sx && sizes[s] == BPF_DW)
					continue;
				snprintf(name, sizeof(name), "jit_agrees_ldx%s%s_r%u_r%u_%+d",
					 sx ? "s" : "", size_names[s], dst, base, off);
				emit_start(&prog, name);
				if (base == 10) {
					emit_input(&prog, 2, 2);
					emit_stx(&prog, 10, 2, -128);
					off = (int16_t)(-128 + off);
				} else {
					emit_base(&prog, base);
				}
				emit(&prog, BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | sizes[s], dst, base,
				     off, 0);
				if (base != 10)
					emit_clear_base(&prog, base, dst);
				emit_dump_and_exit(&prog);
				agree_on_values(&prog, false);
			}
}

static void test_stores(void)
{
	static const uint8_t regs[][2] = { { 1, 2 }, { 7, 6 }, { 0, 1 }, { 5, 7 }, { 3, 0 } };

	for (size_t s = 0; s < 4; s++)
		for (size_t r = 0; r < COUNT(regs); r++) {
			uint8_t base = regs[r][0], src = regs[r][1];
			int16_t off = (int16_t)(r * 3);
			struct program prog;
			char name[128];

			snprintf(name, sizeof(name), "jit_agrees_stx%s_r%u_r%u_%+d", size_names[s],
				 base, src, off);
			emit_start(&prog, name);
			emit_input(&prog, src, 0);
			emit_base(&prog, base);
			emit(&prog, BPF_STX | BPF_MEM | sizes[s], base, src, off, 0);
			emit_clear_base(&prog, base, 0xff);
			emit_dump_and_exit(&prog);
			agree_on_values(&prog, false);

			snprintf(name, sizeof(name), "jit_agrees_st%s_r%u_%+d_imm_%d", size_names[s],
				 base, off, imms[r * 2 + 1]);
			emit_start(&prog, name);
			emit_base(&prog, base);
			emit(&prog, BPF_ST | BPF_MEM | sizes[s], base, 0, off, imms[r * 2 + 1]);
			emit_clear_base(&prog, base, 0xff);
			emit_dump_and_exit(&prog);
			agree_on_values(&prog, false);
		}
}

static const struct { int32_t imm; const char *name; } atomic_ops[] = {
	{ BPF_ADD, "add" }, { BPF_AND, "and" }, { BPF_OR, "or" }, { BPF_XOR, "xor" },
	{ BPF_ADD | BPF_FETCH, "fetch_add" }, { BPF_AND | BPF_FETCH, "fetch_and" },
	{ BPF_OR | BPF_FETCH, "fetch_or" }, { BPF_XOR | BPF_FETCH, "fetch_xor" },
	{ BPF_XCHG, "xchg" }, { BPF_CMPXCHG, "cmpxchg" },
};

/* Memory word: in2 (at base + 0); src = in0; r0 = in1 (cmpxchg's
 * comparand, when r0 is neither base nor source). */
static void test_atomic_one(uint8_t size, size_t i, uint8_t base, uint8_t src)
{
	int32_t imm = atomic_ops[i].imm;
	uint8_t written = imm == BPF_CMPXCHG ? 0 : imm & BPF_FETCH ? src : 0xff;
	struct program prog;
	struct pair pair;
	char name[128];

	snprintf(name, sizeof(name), "jit_agrees_atomic%s_%s_r%u_r%u",
		 size == BPF_W ? "32" : "64", atomic_ops[i].name, base, src);
	emit_start(&prog, name);
	emit_input(&prog, src, 0);
	if (src != 0 && base != 0)
		emit_input(&prog, 0, 1);
	emit_base(&prog, base);
	emit(&prog, BPF_STX | BPF_ATOMIC | size, base, src, 0, imm);
	emit_clear_base(&prog, base, written);
	emit_dump_and_exit(&prog);
	pair_load(&pair, &prog, 0);
	for (size_t a = 0; a < COUNT(values); a++)
		for (size_t b = 0; b < COUNT(values); b += 3) {
			/* cmpxchg succeeds when in1 == in2: make it so half the time */
			const uint64_t in[3] = { values[a], values[b], b & 1 ? values[b] : values[a] };

			if (!agree(&pair, in))
				goto out;
		}
out:
	pair_free(&pair);
}

static void test_atomics(void)
{
	static const uint8_t regs[][2] = { { 1, 2 }, { 0, 2 }, { 1, 0 }, { 3, 4 }, { 5, 3 } };

	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < COUNT(atomic_ops); i++)
			for (size_t r = 0; r < COUNT(regs); r++)
				test_atomic_one(w ? BPF_DW : BPF_W, i, regs[r][0], regs[r][1]);
}

/* ---- calls, packet loads ---------------------------------------------- */

/* main: r6 = in0; call f; dump. f: writes its frame, calls g, adds. */
static void test_local_calls(void)
{
	struct program prog;

	emit_start(&prog, "jit_agrees_local_calls_and_frames");
	emit_input(&prog, 6, 0);
	emit_input(&prog, 1, 1);
	size_t call_f, call_g;

	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 8, 0, 0, 0);
	call_f = prog.len;
	emit(&prog, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
	emit_mov_reg(&prog, 9, 0);
	for (uint8_t reg = 1; reg <= 5; reg++)
		emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, 0);
	emit_dump_and_exit(&prog);
	prog.insns[call_f].imm = (int32_t)(prog.len - call_f - 1);
	emit_stx(&prog, 10, 1, -8);					  /* f: */
	emit(&prog, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 5);
	emit_mov_reg(&prog, 6, 1);
	emit(&prog, BPF_ALU64 | BPF_MUL | BPF_K, 6, 0, 0, 3);
	emit_mov_reg(&prog, 1, 10);
	call_g = prog.len;
	emit(&prog, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
	emit_ldx(&prog, 1, 10, -8);
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0);
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_X, 0, 6, 0, 0);
	emit_ldx(&prog, 1, 10, -16);					  /* g added 1 */
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0);
	emit(&prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	prog.insns[call_g].imm = (int32_t)(prog.len - call_g - 1);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 77);		  /* g: */
	emit_ldx(&prog, 0, 1, -16);					  /* f's frame */
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1);
	emit_stx(&prog, 1, 0, -16);
	emit(&prog, BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 9);
	emit_ldx(&prog, 0, 10, -8);
	emit(&prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	agree_on_values(&prog, true);
}

/* r0 = sum(r1..r5) through helper 6, then callx to id_base or
 * id_base + 1: helpers 5 and 6, or unknown ids (which end the run with
 * -EINVAL in both). */
static void test_helper_calls_to(int32_t id_base, const char *name)
{
	struct program prog;

	emit_start(&prog, name);
	emit_input(&prog, 1, 0);
	emit_input(&prog, 3, 1);
	emit(&prog, BPF_JMP | BPF_CALL, 0, 0, 0, TESTLIB_HELPER_SUM);
	emit_mov_reg(&prog, 6, 0);
	emit_input(&prog, 7, 2);
	emit(&prog, BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, 1);
	emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, id_base);
	emit_mov_reg(&prog, 1, 6);
	for (uint8_t reg = 2; reg <= 5; reg++) /* the first call left them unreadable */
		emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, reg * 1000);
	emit(&prog, BPF_JMP | BPF_CALL | BPF_X, 7, 0, 0, 0);
	for (uint8_t reg = 1; reg <= 5; reg++) /* a call leaves them unreadable */
		emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, 0);
	emit_dump_and_exit(&prog);
	agree_on_values(&prog, true);
}

static void test_helper_calls(void)
{
	test_helper_calls_to(TESTLIB_HELPER_IDENTITY, "jit_agrees_helper_call_and_callx");
	test_helper_calls_to(60000, "jit_agrees_callx_to_no_helper_fails");
	test_helper_calls_to(-2, "jit_agrees_callx_to_huge_id_fails");
}

/* ld_abs / ld_ind over the memory (the raw packet), in and out of range,
 * from the main program and from a function (where out of range returns
 * 0 from that function only). */
static void test_packet_loads(void)
{
	static const uint8_t codes[] = { BPF_B, BPF_H, BPF_W };
	static const int32_t offsets[] = { 0, 81, MEM_LEN - 2, MEM_LEN, -1 };

	for (size_t c = 0; c < COUNT(codes); c++)
		for (size_t o = 0; o < COUNT(offsets); o++) {
			struct program prog;
			size_t call_f;
			char name[128];

			snprintf(name, sizeof(name), "jit_agrees_ld_abs_ind_%s_%d", size_names[c],
				 offsets[o]);
			emit_start(&prog, name);
			emit_ldx(&prog, 6, 10, -8); /* r6: the context, as ld_abs wants */
			emit(&prog, BPF_LD | BPF_ABS | codes[c], 0, 0, 0, offsets[o]);
			emit_mov_reg(&prog, 8, 0);
			emit_input(&prog, 2, 0);
			emit(&prog, BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xff);
			emit_mov_reg(&prog, 1, 6);
			call_f = prog.len;
			emit(&prog, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
			emit_mov_reg(&prog, 9, 0);
			emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, 0);
			for (uint8_t reg = 1; reg <= 5; reg++)
				emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, 0);
			emit_dump_and_exit(&prog);
			prog.insns[call_f].imm = (int32_t)(prog.len - call_f - 1);
			emit_mov_reg(&prog, 6, 1);				 /* f: */
			emit(&prog, BPF_LD | BPF_IND | codes[c], 0, 2, 0, offsets[o]);
			emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1000);
			emit(&prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
			agree_on_values(&prog, false);
		}
}

/* ---- main ------------------------------------------------------------- */

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1;
}

static uint64_t helper_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return r1 + r2 + r3 + r4 + r5;
}

static struct bpfvm *create(enum bpfvm_engine engine)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts), .engine = engine };
	struct bpfvm *vm = NULL;
	int err = bpfvm_create(&opts, &vm);

	if (!err)
		err = bpfvm_helper_register(vm, TESTLIB_HELPER_IDENTITY, "identity", helper_identity);
	if (!err)
		err = bpfvm_helper_register(vm, TESTLIB_HELPER_SUM, "sum", helper_sum);
	if (err) {
		fprintf(stderr, "cannot create a runtime with engine %d: %s\n", engine,
			bpfvm_errmsg());
		exit(err == -ENOTSUP ? 77 : 2);
	}
	if (bpfvm_engine(vm) != engine) {
		fprintf(stderr, "asked for engine %d, got %d\n", engine, bpfvm_engine(vm));
		exit(2);
	}
	return vm;
}

int main(void)
{
	engines[0] = create(BPFVM_ENGINE_INTERP);
	engines[1] = create(BPFVM_ENGINE_JIT);
	test_alu();
	test_unary();
	test_jumps();
	test_loops();
	test_budget();
	test_loads();
	test_stores();
	test_atomics();
	test_local_calls();
	test_helper_calls();
	test_packet_loads();
	printf("%u programs, %u runs compared\n", programs_run, runs_compared);
	bpfvm_destroy(engines[0]);
	bpfvm_destroy(engines[1]);
	return testlib_summary();
}
