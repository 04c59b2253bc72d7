/* The path exploration's verdicts on loops, budgets, calls and jumps against
 * the running kernel's verifier: each refused program is refused by both in
 * the same words (the kernel's log line before "processed N insns"), each
 * accepted program is accepted by both, and bpfvm's processed instructions
 * stay within a small factor of the kernel's, with at most one comparison of
 * states per instruction on average (a walk that compares each loop
 * iteration with all before it takes seconds where the kernel takes
 * milliseconds per thousand iterations). The program type is
 * sched_cls. Exits 77 (skipped) when bpf() is not usable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "../testlib.h"
#include "engine/prog.h"
#include "progtypes/progtype.h"
#include "verifier/structure.h"
#include "verifier/types.h"

#define SKIP_RETURN_CODE 77

static char kernel_log[1 << 20];

struct verdict {
	bool accepted;
	unsigned long long processed, compared; /* compared: bpfvm's only */
	char reason[512];
};

static void kernel_verdict(const struct bpf_insn *insns, size_t cnt, struct verdict *v)
{
	const char *start, *processed;
	int fd = testlib_kernel_load(BPF_PROG_TYPE_SCHED_CLS, 0, insns, cnt, kernel_log,
				     sizeof(kernel_log));

	v->accepted = fd >= 0;
	if (fd >= 0)
		close(fd);
	processed = strstr(kernel_log, "processed ");
	v->processed = processed ? strtoull(processed + 10, NULL, 10) : 0;
	/* the state dumps after an infinite loop are not the reason */
	start = strstr(kernel_log, "infinite loop detected");
	if (start) {
		snprintf(v->reason, sizeof(v->reason), "%.*s", (int)strcspn(start, "\n"), start);
		return;
	}
	testlib_kernel_reason(kernel_log, v->reason, sizeof(v->reason));
}

static void bpfvm_verdict(struct bpfvm *vm, const struct bpf_insn *insns, size_t cnt,
			  struct verdict *v)
{
	struct bpfvm_prog *prog = prog_alloc(vm, "p", "", insns, cnt);
	struct types_stats stats = { 0 };
	const char *msg, *reason;
	int err;

	if (!prog)
		exit(2);
	prog->progtype = progtype_for(BPF_PROG_TYPE_SCHED_CLS);
	err = verifier_check_structure(prog);
	if (!err)
		err = verifier_track_types_stats(prog, &stats);
	prog_destroy(prog);
	v->accepted = !err;
	v->processed = stats.insns_processed;
	v->compared = stats.states_compared;
	msg = err ? bpfvm_errmsg() : "";
	reason = strstr(msg, ": insn ");
	reason = reason ? strstr(reason + 7, ": ") : NULL;
	snprintf(v->reason, sizeof(v->reason), "%s", reason ? reason + 2 : msg);
}

/* The length of a reason without the instruction of an infinite loop. */
static size_t words(const char *reason)
{
	const char *loop = "infinite loop detected at insn ";

	return strncmp(reason, loop, strlen(loop)) == 0 ? strlen(loop) : strlen(reason);
}

struct walk_case {
	const char *name;
	const char *text;
	bool accepted;
};

static const struct walk_case cases[] = {
	/* loops that never end: refused */
	{ "counter_that_never_reaches_zero",
	  "r0 = 0\nr0 += 1\nif r0 != 0 goto pc-2\nexit\n", false },
	{ "jump_to_itself", "r0 = 0\ngoto pc-1\n", false },
	{ "constant_condition_always_taken",
	  "r0 = 0\nr1 = 5\nif r1 > 3 goto pc-2\nexit\n", false },
	{ "unknown_value_never_changes",
	  "r6 = *(u32 *)(r1 +0)\nr0 = 0\nr0 = 1\nif r6 != 7 goto pc-2\nexit\n", false },
	{ "loop_back_to_the_entry_of_a_subprogram",
	  "call pc+2\nr0 = 0\nexit\nr1 = 1\nr1 = 2\ngoto pc-2\n", false },
	{ "loop_around_a_call",
	  "r6 = 0\ncall pc+4\nr6 = 1\nif r6 == 1 goto pc-3\nr0 = 0\nexit\nr0 = 0\nexit\n",
	  false },
	{ "unreachable_exit", "r6 = 0\ncall pc+3\nr6 = 1\ngoto pc-3\nexit\nr0 = 0\nexit\n",
	  false },
	{ "loop_through_two_blocks",
	  "r0 = 0\nr2 = *(u32 *)(r1 +0)\nif r2 > 7 goto pc+2\nr3 = 1\ngoto pc+1\nr3 = 2\n"
	  "goto pc-5\n", false },
	/* a loop whose scalar grows by an unknown byte each round (fuzz_verifier
	 * --seed 7 --iteration 32742): the walk must end as fast as the kernel's */
	{ "loop_adding_an_unknown_byte",
	  "r6 = r1\nr9 = *(u32 *)(r6 +12)\nr9 += -136\n*(u64 *)(r10 -72) = r9\n"
	  "r3 = *(u8 *)(r10 -69)\nr9 += r3\nr0 = 0\nif r9 > 0x4 goto pc-4\n"
	  "w9 %= 23\nr0 = r9\nr0 &= 3\nexit\n", false },
	/* the budget */
	{ "loop_longer_than_the_budget",
	  "r0 = 0\nr0 += 1\nif r0 < 1000000 goto pc-2\nexit\n", false },
	/* calls: 9 frames, 512 bytes of stack */
	{ "nine_frames", "call pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\nr0 = 0\nexit\n", false },
	{ "two_frames_of_512_bytes",
	  "*(u64 *)(r10 -512) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 -8) = 0\nr0 = 0\nexit\n",
	  false },
	{ "eight_frames", "call pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\ncall pc+2\nr0 = 0\nexit\nr0 = 0\nexit\n", true },
	/* bounded loops: accepted */
	{ "counted_loop", "r0 = 0\nr0 += 1\nif r0 < 100 goto pc-2\nexit\n", true },
	{ "counted_loop_with_unknown_early_exit",
	  "r6 = *(u32 *)(r1 +0)\nr0 = 0\nr0 += 1\nif r0 == r6 goto pc+1\nif r0 < 50 goto pc-3\n"
	  "exit\n", true },
	{ "nested_counted_loops",
	  "r0 = 0\nr1 = 0\nr2 = 0\nr2 += 1\nr0 += 1\nif r2 < 10 goto pc-3\nr1 += 1\n"
	  "if r1 < 10 goto pc-6\nexit\n", true },
	{ "loop_in_a_subprogram",
	  "call pc+2\nr0 = 0\nexit\nr0 = 0\nr0 += 2\nif r0 < 40 goto pc-2\nexit\n", true },
	{ "loop_with_a_spilled_counter",
	  "r0 = 0\n*(u64 *)(r10 -8) = r0\nr1 = *(u64 *)(r10 -8)\nr1 += 1\n"
	  "*(u64 *)(r10 -8) = r1\nif r1 < 30 goto pc-4\nexit\n", true },
	/* independent branches: pruned, not enumerated */
	{ "many_independent_branches",
	  "r6 = *(u32 *)(r1 +0)\nr7 = 0\n"
	  "if r6 > 1 goto pc+1\nr7 += 1\nif r6 > 2 goto pc+1\nr7 += 2\n"
	  "if r6 > 3 goto pc+1\nr7 += 4\nif r6 > 4 goto pc+1\nr7 += 8\n"
	  "if r6 > 5 goto pc+1\nr7 += 16\nif r6 > 6 goto pc+1\nr7 += 32\n"
	  "if r6 > 7 goto pc+1\nr7 += 64\nif r6 > 8 goto pc+1\nr7 += 128\n"
	  "if r6 > 9 goto pc+1\nr7 += 256\nif r6 > 10 goto pc+1\nr7 += 512\n"
	  "if r6 > 11 goto pc+1\nr7 += 1024\nif r6 > 12 goto pc+1\nr7 += 2048\n"
	  "if r6 > 13 goto pc+1\nr7 += 4096\nif r6 > 14 goto pc+1\nr7 += 8192\n"
	  "if r6 > 15 goto pc+1\nr7 += 16384\nif r6 > 16 goto pc+1\nr7 += 32768\n"
	  "*(u32 *)(r1 +8) = r7\nr0 = 0\nexit\n", true },
};

int main(void)
{
	struct bpfvm *vm = testlib_vm_create();
	struct bpf_insn probe[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct verdict k, b;

	kernel_verdict(probe, 2, &k);
	if (!k.accepted) {
		printf("SKIP: kernel bpf() not usable: %s\n", strerror(errno));
		bpfvm_destroy(vm);
		return SKIP_RETURN_CODE;
	}
	printf("%-40s %10s %10s %10s\n", "program", "kernel", "bpfvm", "compared");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct walk_case *c = &cases[i];
		struct bpf_insn *insns;
		size_t cnt;

		if (bpfvm_asm_parse(c->text, &insns, &cnt)) {
			testlib_check(c->name, false, "assembler: %s", bpfvm_errmsg());
			continue;
		}
		kernel_verdict(insns, cnt, &k);
		bpfvm_verdict(vm, insns, cnt, &b);
		free(insns);
		printf("%-40s %10llu %10llu %10llu\n", c->name, k.processed, b.processed,
		       b.compared);
		testlib_check(c->name, k.accepted == c->accepted,
			      "the kernel %s it: %s", k.accepted ? "accepts" : "refuses", k.reason);
		testlib_check(c->name, b.accepted == c->accepted, "bpfvm %s it: %s",
			      b.accepted ? "accepts" : "refuses", b.reason);
		/* Where a loop is caught depends on where the kernel and bpfvm
		 * happen to keep checkpoints: the words must match, the
		 * instruction may differ. */
		if (!c->accepted && !k.accepted && !b.accepted)
			testlib_check(c->name, strncmp(k.reason, b.reason, words(k.reason)) == 0,
				      "kernel: %s | bpfvm: %s", k.reason, b.reason);
		if (c->accepted && k.accepted && b.accepted)
			testlib_check(c->name, b.processed <= 4 * k.processed + 64,
				      "processed %llu insns, the kernel %llu", b.processed,
				      k.processed);
		testlib_check(c->name, b.compared <= b.processed + 64,
			      "compared states %llu times in %llu insns", b.compared, b.processed);
	}
	bpfvm_destroy(vm);
	return testlib_summary();
}
