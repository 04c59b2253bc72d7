/* The budget is charged once per loop head (interp_decode.c, jit_compile.c).
 *
 * Every backward jump to one head costs the longest of them, whichever is
 * taken, and a run that the budget stops is stopped at the head, under
 * both engines. The program below has two back edges to head 4, of 3 and 6
 * instructions; a run of n rounds takes n - 1 of them, so it needs a
 * budget of 6 (n - 1) exactly, through either edge:
 *
 *     0: r0 = 0
 *     1: r3 = mem[0]
 *     2: r2 = mem[8]
 *     3: r3 &= 15
 *     4: head: r0 += 1
 *     5: if r2 == 0 goto 8
 *     6: if r0 < r3 goto head     (3 instructions)
 *     7: exit
 *     8: r0 |= 0
 *     9: if r0 < r3 goto head     (6 instructions)
 *    10: exit
 *
 * The JIT's code: the head starts with `jmp over; sub r9, cost; js stub`
 * and each back edge is a 2-byte jcc to that `sub`, as the kernel's JIT
 * makes a back edge (without the charge).
 *
 * A bpf_loop callback's loop is charged the same way: its run stops with
 * -ETIME at its head when one call of the callback overruns the budget. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "engine/jit.h"
#include "engine/prog.h"
#include "testlib.h"

#define MEM_LEN 16
#define HEAD 4
#define COST 6

static const char loop_text[] = "r0 = 0\n"
				"r3 = *(u64 *)(r1 +0)\n"
				"r2 = *(u64 *)(r1 +8)\n"
				"r3 &= 15\n"
				"head:\n"
				"r0 += 1\n"
				"if r2 == 0 goto long\n"
				"if r0 < r3 goto head\n"
				"exit\n"
				"long:\n"
				"r0 |= 0\n"
				"if r0 < r3 goto head\n"
				"exit\n";

/* bpf_loop(1, cb): the callback counts to 100 in a loop whose head is
 * instruction 8 (each round: 2 instructions, 99 back edges taken). */
static const char callback_text[] = "r1 = 1\n"
				    "r2 = subprog[cb]\n"
				    "r3 = 0\n"
				    "r4 = 0\n"
				    "call 181\n"
				    "exit\n"
				    "cb:\n"
				    "r0 = 0\n"
				    "spin:\n"
				    "r0 += 1\n"
				    "if r0 < 100 goto spin\n"
				    "r0 = 0\n"
				    "exit\n";
#define CALLBACK_HEAD 8
#define CALLBACK_NEEDS (99 * 2)

struct outcome {
	int err;
	uint64_t r0;
	char why[256];
};

static struct bpfvm_prog *load(struct bpfvm *vm, const char *text, uint64_t budget)
{
	struct bpfvm_prog_opts opts = { .sz = sizeof(opts), .name = "loop",
					.ctx_size = MEM_LEN, .insn_budget = budget };
	struct bpfvm_prog *prog = NULL;
	struct bpf_insn *insns = NULL;
	size_t insn_cnt = 0;

	if (bpfvm_asm_parse(text, &insns, &insn_cnt) ||
	    bpfvm_prog_load_raw(vm, insns, insn_cnt, &opts, &prog)) {
		fprintf(stderr, "cannot load:\n%s%s\n", text, bpfvm_errmsg());
		exit(2);
	}
	free(insns);
	return prog;
}

static struct outcome run(struct bpfvm *vm, const char *text, uint64_t budget, uint64_t rounds,
			  uint64_t selector)
{
	uint64_t mem[2] = { rounds, selector };
	struct bpfvm_prog *prog = load(vm, text, budget);
	struct outcome out = { 0 };

	out.err = testlib_run(prog, (const uint8_t *)mem, MEM_LEN, &out.r0);
	snprintf(out.why, sizeof(out.why), "%s", out.err ? bpfvm_errmsg() : "");
	bpfvm_prog_free(prog);
	return out;
}

/* Both engines, every budget around the boundary: the same outcome, and
 * the boundary where the design puts it. */
static void check_boundary(struct bpfvm *engines[2], const char *test, const char *text,
			   uint64_t rounds, uint64_t selector, uint64_t needs, uint64_t head)
{
	char at_head[32];

	snprintf(at_head, sizeof(at_head), "insn %" PRIu64 ":", head);
	for (uint64_t budget = 1; budget <= needs + 2; budget++) {
		struct outcome out[2];

		for (int e = 0; e < 2; e++)
			out[e] = run(engines[e], text, budget, rounds, selector);
		/* r0 is the result of a run that succeeds only */
		testlib_check(test, out[0].err == out[1].err &&
			      (out[0].err || out[0].r0 == out[1].r0) && !strcmp(out[0].why, out[1].why),
			      "budget %" PRIu64 ": interp %d r0 %" PRIu64 " '%s', jit %d r0 %" PRIu64
			      " '%s'", budget, out[0].err, out[0].r0, out[0].why, out[1].err,
			      out[1].r0, out[1].why);
		for (int e = 0; e < 2; e++) {
			bool stops = budget < needs;

			testlib_check(test, stops ? out[e].err == -ETIME : out[e].err == 0,
				      "%s, budget %" PRIu64 " (needs %" PRIu64 "): error %d '%s'",
				      e ? "jit" : "interp", budget, needs, out[e].err, out[e].why);
			if (stops)
				testlib_check(test, strstr(out[e].why, at_head) != NULL,
					      "%s: '%s' does not name the loop head (%s)",
					      e ? "jit" : "interp", out[e].why, at_head);
		}
	}
}

/* The jump ending instruction `idx` is a 2-byte jcc to `head`'s charge,
 * and `head` starts with `jmp over; sub r9, imm32`. */
static void check_layout(struct bpfvm *jit, const char *test, size_t idx, size_t head)
{
	struct bpfvm_prog *prog = load(jit, loop_text, 0);
	const struct jit_code *code = prog->jit;
	const uint8_t *rx = code->mem.rx;
	uint32_t end = code->insn_offsets[idx + 1], at = code->insn_offsets[head];

	testlib_check(test, (rx[end - 2] & 0xf0) == 0x70 &&
		      end + (int8_t)rx[end - 1] == at + 2,
		      "insn %zu: %02x %02x does not jump to the charge at %#x", idx, rx[end - 2],
		      rx[end - 1], at + 2);
	testlib_check(test, rx[at] == 0xeb && rx[at + 2] == 0x49 && rx[at + 3] == 0x81 &&
		      rx[at + 4] == 0xe9,
		      "the head starts with %02x %02x %02x %02x %02x, not jmp; sub r9", rx[at],
		      rx[at + 1], rx[at + 2], rx[at + 3], rx[at + 4]);
	bpfvm_prog_free(prog);
}

int main(void)
{
	struct bpfvm *engines[2] = { testlib_vm_create_engine(BPFVM_ENGINE_INTERP),
				     testlib_vm_create_engine(BPFVM_ENGINE_JIT) };

	check_boundary(engines, "short_back_edge_costs_the_longest_to_its_head", loop_text, 10, 1,
		       COST * 9, HEAD);
	check_boundary(engines, "long_back_edge_costs_the_longest_to_its_head", loop_text, 10, 0,
		       COST * 9, HEAD);
	check_boundary(engines, "callback_loop_stops_at_its_head", callback_text, 0, 0,
		       CALLBACK_NEEDS, CALLBACK_HEAD);
	check_layout(engines[1], "back_edge_is_a_jcc_to_the_heads_charge", 6, HEAD);
	check_layout(engines[1], "back_edge_is_a_jcc_to_the_heads_charge", 9, HEAD);
	bpfvm_destroy(engines[0]);
	bpfvm_destroy(engines[1]);
	return testlib_summary();
}
