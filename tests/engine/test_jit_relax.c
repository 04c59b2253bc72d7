/* Forward jumps are rel8s exactly where they reach (jit_relax.c).
 *
 * Each program jumps over filler instructions of known sizes (`w0 += w3`:
 * 2 bytes, `r0 += r3`: 3), so that the distance from the jump's end to its
 * target is chosen to the byte: 126 to 129 bytes, for a conditional jump and
 * for a goto. A jump is a rel8 when, and only when, its distance is at most
 * 127 (in loop-free code jit_relax.c's bound is exact). The distances are
 * measured in the compiled code (its instruction offsets), so a filler that
 * changes size fails the test instead of testing nothing.
 *
 * Chains: jumps J1..Jk each reach over the next jump (a 3-byte test and
 * its jump) and 122 bytes of filler: 131 bytes while the next jump is a
 * rel32 (6 bytes), 127 once it is a rel8 (2 bytes). Only Jk fits at first,
 * so the chain shrinks from the end, one jump per round of jit_relax.c, and
 * every jump ends a rel8. With 124 bytes of filler (129 and 133) only Jk
 * shrinks.
 *
 * `if cond goto +1; goto T` is compiled as `j!cond T` (jit_jump.c): the goto
 * becomes a jcc, a rel8 exactly where it reaches as well.
 *
 * Every program also runs under both engines, taking each jump or not.
 *
 * Backward jumps out of a loop: a conditional backward jump whose target
 * cannot reach it again is charged like a loop's back edge, at its target
 * (jit_compile.c), so both are a 2-byte `jcc` to their target's charge and
 * cost nothing when not taken; both engines give the same result and stop
 * at the same place for every budget from 1 to 60. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "isa/isa.h"
#include "testlib.h"

#define MAX_INSNS 512
#define CHAIN 6
#define MEM_LEN 16

struct program {
	struct bpf_insn insns[MAX_INSNS];
	size_t len;
	size_t jumps[CHAIN + 1]; /* the jumps whose size the test checks */
	size_t jump_cnt;
};

static void emit(struct program *prog, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	prog->insns[prog->len++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						      .off = off, .imm = imm };
}

/* r0 = 0, r3 = mem[0], r2 = mem[8]: the jumps test r2. */
static void emit_start(struct program *prog)
{
	prog->len = prog->jump_cnt = 0;
	emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	emit(prog, BPF_LDX | BPF_MEM | BPF_DW, 3, 1, 0, 0);
	emit(prog, BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 8, 0);
}

/* `bytes` bytes of x86 code (at least 2): 2-byte adds, one 3-byte one if
 * the count is odd. */
static void emit_filler(struct program *prog, unsigned bytes)
{
	if (bytes % 2) {
		emit(prog, BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0);
		bytes -= 3;
	}
	for (; bytes; bytes -= 2)
		emit(prog, BPF_ALU | BPF_ADD | BPF_X, 0, 3, 0, 0);
}

/* A jump whose offset is set later by land(). */
static size_t emit_jump(struct program *prog, uint8_t code)
{
	prog->jumps[prog->jump_cnt++] = prog->len;
	emit(prog, code, BPF_OP(code) == BPF_JA ? 0 : 2, 0, 0, 0);
	return prog->len - 1;
}

static void land(struct program *prog, size_t jump)
{
	prog->insns[jump].off = (int16_t)(prog->len - jump - 1);
}

static void emit_end(struct program *prog)
{
	emit(prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1000);
	emit(prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* if r2 == 0 goto T; <bytes>; T: */
static void build_jcc(struct program *prog, unsigned bytes)
{
	size_t jump;

	emit_start(prog);
	jump = emit_jump(prog, BPF_JMP | BPF_JEQ | BPF_K);
	emit_filler(prog, bytes);
	land(prog, jump);
	emit_end(prog);
}

/* if r2 != 0 goto F; [r0 += 5;] goto T; F: <bytes>; T: (the goto is the one
 * checked). Without the add, the pair is `if r2 == 0 goto T` in the JIT's
 * code: the goto is a jcc and the first jump only its compare. */
static void build_goto(struct program *prog, unsigned bytes, bool skipped)
{
	size_t over, jump;

	emit_start(prog);
	over = prog->len;
	emit(prog, BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, 0);
	if (!skipped)
		emit(prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 5);
	jump = emit_jump(prog, BPF_JMP | BPF_JA);
	land(prog, over);
	emit_filler(prog, bytes);
	land(prog, jump);
	emit_end(prog);
}

/* J1, A, J2, A, ..., Jk, A, A, end; Ji lands after the A behind Ji+1, Jk
 * at the end. Jump i tests bit i of r2 (`if r2 & r(4 + i)`: a 3-byte test). */
static void build_chain(struct program *prog, unsigned half)
{
	size_t jumps[CHAIN];

	emit_start(prog);
	for (int i = 0; i < CHAIN; i++)
		emit(prog, BPF_ALU64 | BPF_MOV | BPF_K, (uint8_t)(4 + i), 0, 0, 1 << i);
	for (int i = 0; i < CHAIN; i++) {
		jumps[i] = emit_jump(prog, BPF_JMP | BPF_JSET | BPF_X);
		prog->insns[jumps[i]].src_reg = (uint8_t)(4 + i);
		emit_filler(prog, half);
		if (i > 0)
			land(prog, jumps[i - 1]);
	}
	emit_filler(prog, half);
	land(prog, jumps[CHAIN - 1]);
	emit_end(prog);
}

static struct bpfvm_prog *load(struct bpfvm *vm, const struct program *prog, const char *name)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = name, .ctx_size = MEM_LEN };
	struct bpfvm_prog *loaded = NULL;
	int err = bpfvm_prog_load_raw(vm, prog->insns, prog->len, &opts, &loaded);

	testlib_check(name, !err, "load: %s", bpfvm_errmsg());
	if (err)
		testlib_print_disasm(prog->insns, prog->len);
	return err ? NULL : loaded;
}

/* Whether the jump ending instruction `idx` is a rel8, and its distance. */
static bool jump_is_rel8(const struct bpfvm_prog *prog, size_t idx, int64_t *distance)
{
	const struct jit_code *code = prog->jit;
	const struct bpf_insn *insn = &prog->insns[idx];
	const uint8_t *end = code->mem.rx + code->insn_offsets[idx + 1];
	size_t target = idx + 1 + (size_t)insn->off;

	*distance = (int64_t)code->insn_offsets[target] - code->insn_offsets[idx + 1];
	if (BPF_OP(insn->code) == BPF_JA && end[-2] == 0xeb)
		return true;
	return (end[-2] & 0xf0) == 0x70; /* a jcc, or a goto compiled as one */
}

/* Runs under both engines with r2 = each of `inputs`: the same r0. */
static void check_agreement(struct bpfvm *engines[2], const struct program *prog,
			    const char *name)
{
	static const uint64_t inputs[] = { 0, 1, 0x15, 0x2a, 0x3f };
	struct bpfvm_prog *loaded[2] = { load(engines[0], prog, name), load(engines[1], prog, name) };

	for (size_t i = 0; loaded[0] && loaded[1] && i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		uint64_t mem[2] = { 7, inputs[i] }, r0[2] = { 0, 0 };
		int err[2];

		for (int e = 0; e < 2; e++)
			err[e] = testlib_run(loaded[e], (const uint8_t *)mem, MEM_LEN, &r0[e]);
		testlib_check(name, !err[0] && !err[1] && r0[0] == r0[1],
			      "r2 %#" PRIx64 ": interp err %d r0 %" PRIu64 ", jit err %d r0 %" PRIu64,
			      inputs[i], err[0], r0[0], err[1], r0[1]);
	}
	bpfvm_prog_free(loaded[0]);
	bpfvm_prog_free(loaded[1]);
}

/* The checked jumps are rel8 exactly when `rel8` has their bit set, and
 * jump over `distance` bytes (0: any). */
static void check_jumps(struct bpfvm *jit, const struct program *prog, const char *name,
			unsigned rel8, const int64_t *distances)
{
	struct bpfvm_prog *loaded = load(jit, prog, name);

	for (size_t j = 0; loaded && j < prog->jump_cnt; j++) {
		int64_t distance;
		bool is_rel8 = jump_is_rel8(loaded, prog->jumps[j], &distance);
		bool want = rel8 & (1u << j);

		testlib_check(name, distance == distances[j],
			      "jump %zu reaches %" PRId64 " bytes, the test built %" PRId64, j,
			      distance, distances[j]);
		testlib_check(name, is_rel8 == want, "jump %zu over %" PRId64 " bytes: %s, want %s",
			      j, distance, is_rel8 ? "rel8" : "rel32", want ? "rel8" : "rel32");
	}
	bpfvm_prog_free(loaded);
}

/* Instruction `idx` (`if r2 != 0`) compiled as its compare alone, and the
 * goto after it as a jcc. */
static void check_skipped_goto(struct bpfvm *jit, const struct program *prog, const char *name,
			       size_t idx)
{
	struct bpfvm_prog *loaded = load(jit, prog, name);
	const struct jit_code *code;
	const uint8_t *end;
	uint32_t compare;

	if (!loaded)
		return;
	code = loaded->jit;
	end = code->mem.rx + code->insn_offsets[idx + 2];
	compare = code->insn_offsets[idx + 1] - code->insn_offsets[idx];
	testlib_check(name, compare == 3, "the skipping jump takes %u bytes, not a 3-byte test",
		      compare);
	testlib_check(name,
		      (end[-2] & 0xf0) == 0x70 || (end[-6] == 0x0f && (end[-5] & 0xf0) == 0x80),
		      "the goto is not a jcc");
	bpfvm_prog_free(loaded);
}

static void check_boundary(struct bpfvm *engines[2], struct program *prog)
{
	for (unsigned bytes = 126; bytes <= 129; bytes++) {
		int64_t distance = bytes;
		char name[64];

		snprintf(name, sizeof(name), "jcc_over_%u_bytes", bytes);
		build_jcc(prog, bytes);
		check_jumps(engines[1], prog, name, bytes <= 127, &distance);
		check_agreement(engines, prog, name);
		snprintf(name, sizeof(name), "goto_over_%u_bytes", bytes);
		build_goto(prog, bytes, false);
		check_jumps(engines[1], prog, name, bytes <= 127, &distance);
		check_agreement(engines, prog, name);
		snprintf(name, sizeof(name), "skipped_goto_over_%u_bytes", bytes);
		build_goto(prog, bytes, true);
		check_jumps(engines[1], prog, name, bytes <= 127, &distance);
		check_skipped_goto(engines[1], prog, name, prog->jumps[0] - 1);
		check_agreement(engines, prog, name);
	}
}

static void check_chains(struct bpfvm *engines[2], struct program *prog)
{
	int64_t distances[CHAIN];

	/* 122 bytes of filler between each jump and its target besides the
	 * next jump: every jump shrinks, the last first */
	for (int i = 0; i < CHAIN; i++)
		distances[i] = i < CHAIN - 1 ? 2 * 61 + 3 + 2 : 2 * 61;
	build_chain(prog, 61);
	check_jumps(engines[1], prog, "chain_shrinking_in_6_rounds", (1u << CHAIN) - 1, distances);
	check_agreement(engines, prog, "chain_shrinking_in_6_rounds");

	/* 124: with the next jump a rel8 still 129 bytes, so only the last
	 * (and the one before it reaches over it as a rel8) */
	for (int i = 0; i < CHAIN; i++)
		distances[i] = i < CHAIN - 2 ? 2 * 62 + 3 + 6 : 2 * 62 + 3 + 2;
	distances[CHAIN - 1] = 2 * 62;
	build_chain(prog, 62);
	check_jumps(engines[1], prog, "chain_where_only_the_last_fits", 1u << (CHAIN - 1),
		    distances);
	check_agreement(engines, prog, "chain_where_only_the_last_fits");
}

/* 0: r0 = 0; r3 = mem[0]; r2 = mem[8]; r3 &= 15; goto L
 * 5: r0 += 1000; exit                   (the exit path, before the loop)
 * 7: L: r0 += 1
 * 8: if r0 == r2 goto 5                 (out of the loop, backward)
 * 9: if r0 < r3 goto L                  (the loop's back edge)
 * 10: exit */
static void build_exit_edge(struct program *prog)
{
	emit_start(prog);
	emit(prog, BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 15);
	emit(prog, BPF_JMP | BPF_JA, 0, 0, 2, 0);
	emit(prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1000);
	emit(prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	emit(prog, BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1);
	emit(prog, BPF_JMP | BPF_JEQ | BPF_X, 0, 2, -4, 0);
	emit(prog, BPF_JMP | BPF_JLT | BPF_X, 0, 3, -3, 0);
	emit(prog, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* The jump ending instruction `idx` is a 2-byte `jcc` to the charge of
 * `target` (past its 2-byte `jmp` over the charge). */
static bool jumps_to_charge(const struct bpfvm_prog *prog, size_t idx, size_t target)
{
	const struct jit_code *code = prog->jit;
	uint32_t end = code->insn_offsets[idx + 1];
	const uint8_t *bytes = code->mem.rx + end;

	return (bytes[-2] & 0xf0) == 0x70 &&
	       end + (int8_t)bytes[-1] == code->insn_offsets[target] + 2;
}

static struct bpfvm_prog *load_budget(struct bpfvm *vm, const struct program *prog,
				      uint64_t budget)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "exit_edge",
					.ctx_size = MEM_LEN, .insn_budget = budget };
	struct bpfvm_prog *loaded = NULL;

	if (bpfvm_prog_load_raw(vm, prog->insns, prog->len, &opts, &loaded)) {
		testlib_check("exit_edge", false, "load: %s", bpfvm_errmsg());
		return NULL;
	}
	return loaded;
}

static void check_exit_edge(struct bpfvm *engines[2], struct program *prog)
{
	static const uint64_t inputs[][2] = { { 10, 5 }, { 10, 100 }, { 15, 15 }, { 0, 1 } };
	struct bpfvm_prog *loaded;

	build_exit_edge(prog);
	loaded = load(engines[1], prog, "exit_edge");
	if (loaded) {
		testlib_check("exit_edge_layout", jumps_to_charge(loaded, 8, 5),
			      "the backward jump out of the loop is not a jcc to its target's charge");
		testlib_check("exit_edge_layout", jumps_to_charge(loaded, 9, 7),
			      "the loop's back edge is not a jcc to its head's charge");
	}
	bpfvm_prog_free(loaded);
	check_agreement(engines, prog, "exit_edge");
	for (uint64_t budget = 1; budget <= 60; budget++) {
		for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
			uint64_t mem[2] = { inputs[i][0], inputs[i][1] }, r0[2] = { 0, 0 };
			char why[2][256];
			int err[2] = { -1, -1 };

			for (int e = 0; e < 2; e++) {
				struct bpfvm_prog *p = load_budget(engines[e], prog, budget);

				why[e][0] = 0;
				if (!p)
					continue;
				err[e] = testlib_run(p, (const uint8_t *)mem, MEM_LEN, &r0[e]);
				snprintf(why[e], sizeof(why[e]), "%s", err[e] ? bpfvm_errmsg() : "");
				bpfvm_prog_free(p);
			}
			testlib_check("exit_edge_budget", err[0] == err[1] && r0[0] == r0[1] &&
				      !strcmp(why[0], why[1]),
				      "budget %" PRIu64 " n %" PRIu64 " stop %" PRIu64
				      ": interp %d r0 %" PRIu64 " '%s', jit %d r0 %" PRIu64 " '%s'",
				      budget, inputs[i][0], inputs[i][1], err[0], r0[0], why[0],
				      err[1], r0[1], why[1]);
		}
	}
}

int main(void)
{
	static struct program prog;
	struct bpfvm *engines[2] = { testlib_vm_create_engine(BPFVM_ENGINE_INTERP),
				     testlib_vm_create_engine(BPFVM_ENGINE_JIT) };

	check_boundary(engines, &prog);
	check_chains(engines, &prog);
	check_exit_edge(engines, &prog);
	bpfvm_destroy(engines[0]);
	bpfvm_destroy(engines[1]);
	return testlib_summary();
}
