/* The kdiff minimiser (kdiff_shrink.c) on synthetic mismatches: what would
 * be "bpfvm and the kernel differ" is here a property bpfvm checks alone,
 * so that the test needs no kernel and knows the smallest program that
 * keeps it. Each checks the shrunk program still has the property, has
 * exactly the instructions it needs, and that jumps were moved right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "kdiff/kdiff.h"
#include "verifier/checked_testlib.h"

static int failures;

static void check(bool ok, const char *test, const char *what)
{
	printf("%s %s: %s\n", ok ? "ok  " : "FAIL", test, what);
	failures += !ok;
}

struct property {
	struct bpfvm *vm;
	struct fuzz_prog *prog;
	int calls;
	/* r0 wanted for a packet of each size; `nonzero` instead: any r0 but 0 */
	uint32_t sizes[2], want[2];
	int runs;
	bool nonzero;
};

/* r0 of the program on a packet of `size` bytes; false if it does not load
 * or run. */
static bool run(struct property *p, uint32_t size, uint32_t *r0)
{
	static uint8_t packet[256], out[256];
	struct bpfvm_test_run_opts opts = { .sz = sizeof(opts), .data_in = packet,
					    .data_size_in = size, .data_out = out,
					    .data_size_out = sizeof(out) };
	struct bpfvm_prog *prog;
	bool ok;

	if (checked_load_insns(p->vm, "shrink", BPF_PROG_TYPE_XDP, p->prog->insns,
			       p->prog->insn_cnt, NULL, 0, true, &prog)) {
		if (getenv("SHRINK_VERBOSE"))
			printf("  refused: %s\n", bpfvm_errmsg());
		return false;
	}
	ok = bpfvm_prog_test_run(prog, &opts) == 0;
	if (getenv("SHRINK_VERBOSE"))
		printf("  %u bytes: %d, r0 %u %s\n", size, ok, opts.retval, ok ? "" : bpfvm_errmsg());
	*r0 = opts.retval;
	checked_prog_free(prog);
	return ok;
}

static bool holds(void *ctx)
{
	struct property *p = ctx;
	uint32_t r0;

	p->calls++;
	for (int i = 0; i < p->runs; i++) {
		if (!run(p, p->sizes[i], &r0))
			return false;
		if (p->nonzero ? r0 == 0 : r0 != p->want[i])
			return false;
	}
	return true;
}

static struct fuzz_prog assemble(const char *text)
{
	struct fuzz_prog prog = { .type = BPF_PROG_TYPE_XDP };

	if (bpfvm_asm_parse(text, &prog.insns, &prog.insn_cnt)) {
		fprintf(stderr, "cannot assemble: %s\n", bpfvm_errmsg());
		exit(2);
	}
	return prog;
}

/* Junk around a branch on the packet's length: the branch, the loads it
 * needs and both returns must stay, the junk must go, and the jump over
 * what was deleted must still reach `r0 = 1`. */
static void test_deletes_and_moves_jumps(struct bpfvm *vm)
{
	const char *t = "deletions_keep_jumps_on_their_targets";
	struct fuzz_prog prog = assemble("r2 = *(u32 *)(r1 +0)\n"
					 "r3 = *(u32 *)(r1 +4)\n"
					 "r4 = 5\n"
					 "r4 *= 3\n"
					 "r5 = r2\n"
					 "r5 += 30\n"
					 "r6 = 9\n"
					 "if r5 > r3 goto pc+3\n"
					 "r7 = 1\n"
					 "r0 = 42\n"
					 "exit\n"
					 "r8 = 3\n"
					 "r0 = 1\n"
					 "exit\n");
	struct property p = { .vm = vm, .prog = &prog, .sizes = { 64, 20 }, .want = { 42, 1 },
			      .runs = 2 };
	char *text;

	check(holds(&p), t, "the property holds before (64 bytes: 42, 20 bytes: 1)");
	kdiff_shrink(&prog, holds, &p);
	text = bpfvm_disasm_prog(prog.insns, prog.insn_cnt);
	printf("%s: shrunk to %zu instructions in %d tries:\n%s", t, prog.insn_cnt, p.calls,
	       text ? text : "");
	free(text);
	check(holds(&p), t, "the property holds after");
	check(prog.insn_cnt == 9, t, "14 instructions shrunk to the 9 it needs");
	check(prog.insn_cnt == 9 && prog.insns[4].code == (BPF_JMP | BPF_JGT | BPF_X) &&
	      prog.insns[4].off == 2, t, "the branch jumps over 2, to r0 = 1");
	free(prog.insns);
}

/* A 64-bit constant shifted: the shift goes, the constant's upper half
 * becomes 0 and its lower half the smallest that keeps r0 nonzero. */
static void test_shrinks_constants(struct bpfvm *vm)
{
	const char *t = "constants_shrink_while_the_property_holds";
	struct fuzz_prog prog = assemble("r0 = 0x123456789abcdef0 ll\n"
					 "r0 >>= 4\n"
					 "r2 = 77\n"
					 "exit\n");
	struct property p = { .vm = vm, .prog = &prog, .sizes = { 64 }, .runs = 1,
			      .nonzero = true };

	check(holds(&p), t, "r0 is nonzero before");
	kdiff_shrink(&prog, holds, &p);
	check(holds(&p), t, "r0 is nonzero after");
	check(prog.insn_cnt == 3, t, "the shift and the unused move deleted (lddw + exit)");
	check(prog.insn_cnt == 3 && prog.insns[1].imm == 0, t, "the upper half shrunk to 0");
	check(prog.insn_cnt == 3 && (prog.insns[0].imm == 1 || prog.insns[0].imm == -1), t,
	      "the lower half shrunk to 1 (or -1: halving a negative ends there)");
	free(prog.insns);
}

/* What never had the property is left alone. */
static void test_leaves_a_program_without_it(struct bpfvm *vm)
{
	const char *t = "a_program_without_the_property_is_unchanged";
	struct fuzz_prog prog = assemble("r0 = 0\nexit\n");
	struct property p = { .vm = vm, .prog = &prog, .sizes = { 64 }, .runs = 1,
			      .nonzero = true };

	check(kdiff_shrink(&prog, holds, &p) == 0 && prog.insn_cnt == 2 && prog.insns[0].imm == 0,
	      t, "no change");
	free(prog.insns);
}

int main(void)
{
	struct bpfvm_opts opts = { .sz = sizeof(opts) };
	struct bpfvm *vm;

	if (bpfvm_create(&opts, &vm)) {
		fprintf(stderr, "runtime: %s\n", bpfvm_errmsg());
		return 2;
	}
	test_deletes_and_moves_jumps(vm);
	test_shrinks_constants(vm);
	test_leaves_a_program_without_it(vm);
	bpfvm_destroy(vm);
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
