/* Random programs of about 1000 instructions agree under both engines, and
 * the JIT compiles one in little time.
 *
 * Each program (seeded, so a failure is reproducible: `test_jit_random
 * SEED`; `test_jit_random --seconds N` tries seeds for N seconds, a longer
 * search than the suite's 40) is straight-line code with forward jumps: ALU32/64 operations of
 * every kind on r0..r9, byte swaps, sign extensions, stack stores, loads and
 * atomics, conditional jumps and gotos. Registers start from constants, so
 * the verifier follows one path and accepts every program; the engines run
 * it and dump r0..r9 and the stack slots to memory, which must be equal.
 *
 * The compile time (jit_compile alone, median of many) is printed; the test
 * fails only past a bound that even a sanitizer build meets, the goal being
 * 50 us for 1000 instructions. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/bpfvm.h"
#include "engine/jit.h"
#include "engine/jit_internal.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "testlib.h"

#define BODY_INSNS 1000
#define MAX_INSNS (BODY_INSNS + 200)
#define SLOTS 12		/* 8-byte stack slots the body uses: r10-8*(1..12) */
#define MEM_LEN (8 * (10 + SLOTS))
#define PROGRAMS 40
#define COMPILE_ROUNDS 201

struct program {
	struct bpf_insn insns[MAX_INSNS];
	size_t len;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void emit(struct program *prog, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	prog->insns[prog->len++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						      .off = off, .imm = imm };
}

static int32_t random_imm(void)
{
	static const int32_t edges[] = { 0, 1, -1, 31, 32, 63, INT32_MIN, INT32_MAX, 0xff, 0xffff };

	return rnd_below(3) ? edges[rnd_below(10)] : (int32_t)rnd();
}

static int16_t random_slot(void)
{
	return (int16_t)(-8 * (1 + (int)rnd_below(SLOTS)));
}

static void emit_alu(struct program *prog)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_OR,
				       BPF_AND, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_XOR, BPF_MOV };
	uint8_t cls = rnd_below(2) ? BPF_ALU64 : BPF_ALU;
	uint8_t op = ops[rnd_below(sizeof(ops))];
	int16_t off = (op == BPF_DIV || op == BPF_MOD) ? (int16_t)rnd_below(2) : 0;
	uint8_t dst = (uint8_t)rnd_below(10);
	int32_t imm = random_imm();

	if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
		imm &= cls == BPF_ALU64 ? 63 : 31;
	if (rnd_below(2))
		emit(prog, cls | op | BPF_X, dst, (uint8_t)rnd_below(10), off, 0);
	else
		emit(prog, cls | op | BPF_K, dst, 0, off, imm);
}

static void emit_unary(struct program *prog)
{
	static const int32_t widths[] = { 16, 32, 64 };
	static const int16_t sx[] = { 8, 16, 32 };
	uint8_t dst = (uint8_t)rnd_below(10), src = (uint8_t)rnd_below(10);

	switch (rnd_below(5)) {
	case 0: emit(prog, (rnd_below(2) ? BPF_ALU64 : BPF_ALU) | BPF_NEG, dst, 0, 0, 0); break;
	case 1: emit(prog, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, widths[rnd_below(3)]); break;
	case 2: emit(prog, BPF_ALU | BPF_END | BPF_TO_LE, dst, 0, 0, widths[rnd_below(3)]); break;
	case 3: emit(prog, BPF_ALU64 | BPF_END, dst, 0, 0, widths[rnd_below(3)]); break;
	default: emit(prog, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, sx[rnd_below(3)], 0); break;
	}
}

static void emit_memory(struct program *prog)
{
	static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	static const int32_t atomics[] = { BPF_ADD, BPF_AND, BPF_OR, BPF_XOR, BPF_ADD | BPF_FETCH,
					   BPF_AND | BPF_FETCH, BPF_OR | BPF_FETCH,
					   BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG };
	uint8_t size = sizes[rnd_below(4)], reg = (uint8_t)rnd_below(10);
	int16_t off = random_slot();

	switch (rnd_below(5)) {
	case 0: emit(prog, BPF_STX | BPF_MEM | size, 10, reg, off, 0); break;
	case 1: emit(prog, BPF_ST | BPF_MEM | size, 10, 0, off, random_imm()); break;
	case 2: emit(prog, BPF_LDX | BPF_MEM | size, reg, 10, off, 0); break;
	case 3:
		if (size != BPF_DW) {
			emit(prog, BPF_LDX | BPF_MEMSX | size, reg, 10, off, 0);
			break;
		}
		/* fall through */
	default:
		emit(prog, BPF_STX | BPF_ATOMIC | (rnd_below(2) ? BPF_DW : BPF_W), 10, reg, off,
		     atomics[rnd_below(10)]);
		break;
	}
}

static void emit_lddw(struct program *prog, uint8_t dst, uint64_t value)
{
	emit(prog, BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int32_t)(uint32_t)value);
	emit(prog, 0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32));
}

/* A forward jump that lands inside the body (at most at `end`). Its
 * operands get constants first: the verifier then follows one path (values
 * that became unknown, through atomics or partial stack writes, would fork
 * it at every jump). */
static void emit_jump(struct program *prog, size_t end)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT,
				       BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };
	uint8_t cls = rnd_below(2) ? BPF_JMP : BPF_JMP32;
	uint8_t dst = (uint8_t)rnd_below(10), src = (uint8_t)rnd_below(10);
	size_t room;
	int16_t off;

	if (end - prog->len < 4) {
		emit_alu(prog);
		return;
	}
	/* no lddw in the body: a jump could land in the middle of one */
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, random_imm());
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, src, 0, 0, random_imm());
	room = end - prog->len - 1;
	off = (int16_t)rnd_below((uint32_t)(room < 24 ? room : 24) + 1);
	if (!rnd_below(8))
		emit(prog, BPF_JMP | BPF_JA, 0, 0, off, 0);
	else if (rnd_below(2))
		emit(prog, cls | ops[rnd_below(11)] | BPF_X, dst, src, off, 0);
	else
		emit(prog, cls | ops[rnd_below(11)] | BPF_K, dst, 0, off, random_imm());
}

static void generate(struct program *prog, uint64_t seed)
{
	size_t body_end;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	prog->len = 0;
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0); /* r6: memory, until the dump */
	emit(prog, BPF_STX | BPF_MEM | BPF_DW, 10, 6, -8 * (SLOTS + 1), 0);
	for (int slot = 1; slot <= SLOTS; slot++)
		emit(prog, BPF_ST | BPF_MEM | BPF_DW, 10, 0, (int16_t)(-8 * slot), (int32_t)rnd());
	for (uint8_t reg = 0; reg <= 9; reg++)
		emit_lddw(prog, reg, rnd());
	body_end = prog->len + BODY_INSNS;
	while (prog->len < body_end) {
		uint32_t kind = rnd_below(16);

		if (kind < 8)
			emit_alu(prog);
		else if (kind < 10)
			emit_unary(prog);
		else if (kind < 13)
			emit_memory(prog);
		else
			emit_jump(prog, body_end);
	}
	/* dump: registers to the slots below, then everything to memory */
	for (uint8_t reg = 0; reg <= 9; reg++)
		emit(prog, BPF_STX | BPF_MEM | BPF_DW, 10, reg, (int16_t)(-8 * (SLOTS + 2 + reg)), 0);
	emit(prog, BPF_LDX | BPF_MEM | BPF_DW, 1, 10, -8 * (SLOTS + 1), 0);
	for (int i = 0; i < 10 + SLOTS; i++) {
		int16_t from = i < 10 ? (int16_t)(-8 * (SLOTS + 2 + i)) : (int16_t)(-8 * (i - 9));

		emit(prog, BPF_LDX | BPF_MEM | BPF_DW, 2, 10, from, 0);
		emit(prog, BPF_STX | BPF_MEM | BPF_DW, 1, 2, (int16_t)(8 * i), 0);
	}
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	emit(prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int load(struct bpfvm *vm, const struct program *prog, struct bpfvm_prog **out)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "random",
					.ctx_size = MEM_LEN };

	return bpfvm_prog_load_raw(vm, prog->insns, prog->len, &opts, out);
}

static void check_seed(struct bpfvm *engines[2], uint64_t seed, struct program *prog)
{
	uint8_t mem[2][MEM_LEN];
	uint64_t r0[2] = { 0, 0 };
	int err[2];
	char name[64];

	snprintf(name, sizeof(name), "random_program_%" PRIu64 "_agrees", seed);
	generate(prog, seed);
	for (int e = 0; e < 2; e++) {
		struct bpfvm_prog *loaded = NULL;

		memset(mem[e], 0, MEM_LEN);
		err[e] = load(engines[e], prog, &loaded);
		if (err[e]) {
			/* not the JIT's business, but a loop-free program should pass */
			printf("note: %s: refused by the verifier: %s\n", name, bpfvm_errmsg());
			testlib_print_disasm(prog->insns, prog->len);
			return;
		}
		err[e] = bpfvm_prog_run_raw(loaded, mem[e], MEM_LEN, &r0[e]);
		bpfvm_prog_free(loaded);
	}
	testlib_check(name, err[0] == err[1] && r0[0] == r0[1] && !memcmp(mem[0], mem[1], MEM_LEN),
		      "interp: err %d r0 %#" PRIx64 "; jit: err %d r0 %#" PRIx64, err[0], r0[0],
		      err[1], r0[1]);
	for (int i = 0; i < 10 + SLOTS; i++) {
		uint64_t a, b;

		memcpy(&a, mem[0] + 8 * i, 8);
		memcpy(&b, mem[1] + 8 * i, 8);
		if (a != b)
			printf("    %s %d: interp %#" PRIx64 ", jit %#" PRIx64 "\n",
			       i < 10 ? "r" : "slot", i < 10 ? i : i - 9, a, b);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* What code memory costs alone (a piece of a pack reserved for the worst
 * case, the code written, the tail given back, the piece freed), for the
 * report. */
static void print_code_memory_time(size_t bound, size_t code_size)
{
	static uint64_t times[COMPILE_ROUNDS];

	for (int i = 0; i < COMPILE_ROUNDS; i++) {
		uint64_t start = now_ns();
		struct jit_mem mem;

		if (jit_mem_alloc(bound, &mem))
			return;
		memset(mem.rw, 0xcc, code_size);
		jit_mem_trim(&mem, code_size);
		jit_mem_free(&mem);
		times[i] = now_ns() - start;
	}
	qsort(times, COMPILE_ROUNDS, sizeof(times[0]), compare_u64);
	printf("  of which code memory (a pack's chunks, written, trimmed, freed): median %.1f us, "
	       "min %.1f us\n", times[COMPILE_ROUNDS / 2] / 1000.0, times[0] / 1000.0);
}

/* The compiler proper (jit_emit: no code memory), into a heap buffer. */
static void print_emit_time(const struct bpfvm_prog *prog)
{
	static uint64_t times[COMPILE_ROUNDS];
	size_t bound = jit_code_bound(prog);
	uint8_t *mem = malloc(bound);
	for (int i = 0; mem && i < COMPILE_ROUNDS; i++) {
		struct jit_buf buf = { .start = mem, .p = mem, .end = mem + bound };
		uint64_t start = now_ns();

		jit_emit(prog, &buf, NULL);
		times[i] = now_ns() - start;
	}
	free(mem);
	qsort(times, COMPILE_ROUNDS, sizeof(times[0]), compare_u64);
	printf("  of which the compiler proper (jit_emit): median %.1f us, min %.1f us\n",
	       times[COMPILE_ROUNDS / 2] / 1000.0, times[0] / 1000.0);
}

/* jit_compile alone on the verified program, many times: the median. */
static void check_compile_time(struct bpfvm *jit_vm, const struct program *prog)
{
	static uint64_t times[COMPILE_ROUNDS];
	struct bpfvm_prog *loaded = NULL;
	size_t code_size;
	int err = load(jit_vm, prog, &loaded);

	if (err) {
		testlib_check("jit_compiles_1000_instructions_every_time", false, "load: %s",
			      bpfvm_errmsg());
		return;
	}
	code_size = loaded->jit->code_size;
	for (int i = 0; i < COMPILE_ROUNDS && !err; i++) {
		uint64_t start;

		jit_free(loaded->jit);
		loaded->jit = NULL;
		start = now_ns();
		err = jit_compile(loaded);
		times[i] = now_ns() - start;
	}
	qsort(times, COMPILE_ROUNDS, sizeof(times[0]), compare_u64);
	printf("jit_compile of %zu instructions: median %.1f us, min %.1f us, %zu bytes of code\n",
	       prog->len, times[COMPILE_ROUNDS / 2] / 1000.0, times[0] / 1000.0, code_size);
	print_emit_time(loaded);
	print_code_memory_time(jit_code_bound(loaded), code_size);
	/* The time is printed, never asserted: a sanitizer build on a loaded
	 * machine took over 5 ms, and a test must not fail on a clock. */
	testlib_check("jit_compiles_1000_instructions_every_time", !err, "error %d", err);
	bpfvm_prog_free(loaded);
}

static unsigned count_mappings(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned lines = 0;
	int c;

	while (maps && (c = fgetc(maps)) != EOF)
		lines += c == '\n';
	if (maps)
		fclose(maps);
	return lines;
}

/* Code memory goes back to its pack with its program, and the next program
 * reuses it: loading and freeing programs many times leaves the number of
 * mappings where it was, and a program loaded after another was freed runs
 * where that one ran (first fit). */
static void check_code_memory_is_reused(struct bpfvm *jit_vm, const struct program *prog)
{
	unsigned before = count_mappings(), after;
	const void *first = NULL, *again = NULL;

	for (int i = 0; i < 200; i++) {
		struct bpfvm_prog *loaded = NULL;

		if (load(jit_vm, prog, &loaded))
			break;
		if (i == 0)
			first = loaded->jit->mem.rx;
		if (i == 1)
			again = loaded->jit->mem.rx;
		bpfvm_prog_free(loaded);
	}
	after = count_mappings();
	testlib_check("jit_code_memory_is_given_back_with_its_program", after <= before + 4,
		      "%u mappings before 200 loads and frees, %u after", before, after);
	testlib_check("jit_code_memory_is_reused_after_its_program_is_freed",
		      first && first == again, "first program at %p, the next one at %p", first,
		      again);
}

int main(int argc, char **argv)
{
	static struct program prog;
	struct bpfvm *engines[2] = { testlib_vm_create_engine(BPFVM_ENGINE_INTERP),
				     testlib_vm_create_engine(BPFVM_ENGINE_JIT) };

	if (argc > 2 && strcmp(argv[1], "--seconds") == 0) {
		uint64_t deadline = now_ns() + (uint64_t)(atof(argv[2]) * 1e9), seed = 1;

		while (now_ns() < deadline && !testlib_failed())
			check_seed(engines, seed++, &prog);
		printf("%" PRIu64 " programs\n", seed - 1);
	} else if (argc > 1) {
		check_seed(engines, strtoull(argv[1], NULL, 0), &prog);
	} else {
		for (uint64_t seed = 1; seed <= PROGRAMS; seed++)
			check_seed(engines, seed, &prog);
		generate(&prog, 1);
		check_compile_time(engines[1], &prog);
		check_code_memory_is_reused(engines[1], &prog);
	}
	bpfvm_destroy(engines[0]);
	bpfvm_destroy(engines[1]);
	return testlib_summary();
}
